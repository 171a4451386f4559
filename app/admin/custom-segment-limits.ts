/** The segment builder's limits, shared by the page and the server module. */
/** The first two are enforced by the settings schema (app/segmentation/settings.ts). */
export const CUSTOM_SEGMENT_LIMITS = {
  segments: 20,
  ruleLength: 2_000,
  nameLength: 40,
  sample: 10,
};
