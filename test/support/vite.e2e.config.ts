import { defineConfig, mergeConfig } from "vite";
import base from "../../vite.config";

// The app's Vite config for the browser tests' dev server, without hot reload: the tests may
// run while the working tree is being edited, and a reload would swap the page under test.
export default mergeConfig(
  base,
  defineConfig({ server: { hmr: false, watch: { ignored: ["**/*"] } } }),
);
