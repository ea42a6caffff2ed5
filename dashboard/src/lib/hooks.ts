import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "./api";

/** What a failure says to the person at the page. */
export const errorText = (failure: unknown) => (failure instanceof Error ? failure.message : String(failure));

export const time = (iso?: string | null) => (iso ? new Date(iso).toLocaleString() : "—"); // the API leaves out what is null

/**
 * What a page shows from one GET, loaded on mount and after every action that succeeds; a
 * failure of either becomes the page's error. `path` null loads nothing (not asked for yet).
 */
export function useResource<T>(path: string | null) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  // The path shown now: an answer to an earlier path (a filter changed while it was on its way)
  // arrives late and must not overwrite the newer one.
  const current = useRef(path);
  current.current = path;

  const reload = useCallback(async () => {
    if (path === null) return;
    try {
      const answer = await api<T>(path);
      if (current.current === path) setData(answer);
    } catch (failure) {
      if (current.current === path) setError(errorText(failure));
    }
  }, [path]);

  useEffect(() => void reload(), [reload]);

  /** Runs an action, then loads again; answers whether it succeeded. */
  const run = useCallback(
    async (action: () => Promise<unknown>) => {
      try {
        await action();
        setError(null);
      } catch (failure) {
        setError(errorText(failure));
        return false;
      }
      await reload();
      return true;
    },
    [reload],
  );

  return { data, error, setError, reload, run };
}
