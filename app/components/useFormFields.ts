import { useRef, useState } from "react";

/**
 * A form's values in state, and the props that bind a Polaris TextField to one of them: its
 * name (what the form posts), value, change handler and the server's error for it.
 */
export function useFormFields<V extends object>(
  initial: V,
  errors: Partial<Record<string, string>>,
) {
  const [values, setValues] = useState(initial);
  // One handler per field for the form's lifetime: a memoized field then skips the re-render
  // when another field is typed into (INP on long forms, test/bench/vitals.bench.ts).
  const setters = useRef(new Map<keyof V, (value: never) => void>());
  const set = <K extends keyof V>(key: K): ((value: V[K]) => void) => {
    let setter = setters.current.get(key);
    if (!setter) {
      setter = (value: V[K]) => setValues((v) => ({ ...v, [key]: value }));
      setters.current.set(key, setter as (value: never) => void);
    }
    return setter as (value: V[K]) => void;
  };
  const field = <K extends keyof V & string>(key: K) => ({
    name: key,
    value: String(values[key] ?? ""),
    onChange: set(key) as (value: string) => void,
    error: errors[key],
    autoComplete: "off",
  });
  return { values, setValues, set, field };
}
