import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { api, setCredential, whenUnauthorized, type Caller, type TokenResponse } from "./api";

// Who is signed in. A user's session survives a reload through the refresh cookie: on start the
// dashboard trades it for a fresh access token. An API key (service accounts) lives in memory
// only, so a reload asks for it again. The only thing kept in localStorage is a marker that a
// session cookie may exist (no secret), so that a signed-out start does not ask for nothing.

const SESSION_MARKER = "notifly.session";

type Auth = {
  caller: Caller | null;
  ready: boolean;
  signIn: (tenant: string, email: string, password: string) => Promise<void>;
  signInWithKey: (apiKey: string) => Promise<void>;
  signInAsOperator: (token: string) => Promise<void>;
  signOut: () => Promise<void>;
};

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [caller, setCaller] = useState<Caller | null>(null);
  const [ready, setReady] = useState(false);
  const refreshTimer = useRef<number | undefined>(undefined);

  const forget = useCallback(() => {
    window.clearTimeout(refreshTimer.current);
    localStorage.removeItem(SESSION_MARKER);
    setCredential(null);
    setCaller(null);
  }, []);

  const adopt = useCallback(
    async (tokens: TokenResponse) => {
      setCredential({ kind: "user", accessToken: tokens.accessToken, expiresAt: tokens.expiresAt });
      localStorage.setItem(SESSION_MARKER, "1");
      window.clearTimeout(refreshTimer.current);
      // a minute before the access token expires, trade the cookie for the next one
      const due = Math.max(5_000, new Date(tokens.expiresAt).getTime() - Date.now() - 60_000);
      refreshTimer.current = window.setTimeout(() => {
        api<TokenResponse>("/api/auth/refresh", { method: "POST", body: "{}" }).then(adopt, forget);
      }, due);
      setCaller(await api<Caller>("/api/auth/me"));
    },
    [forget],
  );

  useEffect(() => {
    whenUnauthorized(forget);
    if (localStorage.getItem(SESSION_MARKER) === null) {
      setReady(true);
      return;
    }
    api<TokenResponse>("/api/auth/refresh", { method: "POST", body: "{}" })
      .then(adopt)
      .catch(() => forget())
      .finally(() => setReady(true));
    return () => window.clearTimeout(refreshTimer.current);
  }, [adopt, forget]);

  const value = useMemo<Auth>(
    () => ({
      caller,
      ready,
      signIn: async (tenant, email, password) => {
        const tokens = await api<TokenResponse>("/api/auth/login", {
          method: "POST",
          body: JSON.stringify({ tenant, email, password, session: "cookie" }),
        });
        await adopt(tokens);
      },
      signInWithKey: async (apiKey) => {
        setCredential({ kind: "key", apiKey });
        try {
          setCaller(await api<Caller>("/api/auth/me"));
        } catch (error) {
          setCredential(null);
          throw error;
        }
      },
      signInAsOperator: async (token) => {
        // an operator token is a bearer like a key, in memory only; the operator API is its only use
        setCredential({ kind: "key", apiKey: token });
        try {
          await api("/api/operator/tenants?limit=1");
          setCaller({ kind: "operator", id: "", tenantId: "", name: "Operator", role: "OPERATOR" });
        } catch (error) {
          setCredential(null);
          throw error;
        }
      },
      signOut: async () => {
        if (caller?.kind === "user") {
          await api("/api/auth/logout", { method: "POST", body: "{}" }).catch(() => undefined);
        }
        forget();
      },
    }),
    [caller, ready, adopt, forget],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (auth === null) throw new Error("useAuth outside AuthProvider");
  return auth;
}
