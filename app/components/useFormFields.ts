import { useState } from "react";

/**
 * A form's values in state, and the props that bind a Polaris TextField to one of them: its
 * name (what the form posts), value, change handler and the server's error for it.
 */
export function useFormFields<V extends object>(
  initial: V,
  errors: Partial<Record<string, string>>,
) {
  const [values, setValues] = useState(initial);
  const set =
    <K extends keyof V>(key: K) =>
    (value: V[K]) =>
      setValues((v) => ({ ...v, [key]: value }));
  const field = <K extends keyof V & string>(key: K) => ({
    name: key,
    value: String(values[key] ?? ""),
    onChange: set(key) as (value: string) => void,
    error: errors[key],
    autoComplete: "off",
  });
  return { values, setValues, set, field };
}
