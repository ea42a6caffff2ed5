import { useState, type FormEvent } from "react";
import { Navigate, useLocation, useSearchParams } from "react-router";
import { Alert, Button, Card, Input, Label } from "../components/ui";
import { ApiError } from "../lib/api";
import { useAuth } from "../lib/auth";

export function LoginPage() {
  const { caller, signIn, signInWithKey, signInAsOperator } = useAuth();
  const location = useLocation();
  const [search] = useSearchParams(); // an invitation's link brings the tenant
  const [mode, setMode] = useState<"user" | "key" | "operator">("user");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (caller !== null) {
    return <Navigate to={(location.state as { from?: string } | null)?.from ?? "/"} replace />;
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      if (mode === "user") {
        await signIn(String(form.get("tenant")), String(form.get("email")), String(form.get("password")));
      } else if (mode === "key") {
        await signInWithKey(String(form.get("apiKey")));
      } else {
        await signInAsOperator(String(form.get("operatorToken")));
      }
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 429
          ? "Too many attempts. Wait a few minutes and try again."
          : failure instanceof ApiError && failure.status === 403
            ? failure.message
            : mode === "user"
              ? "Those details did not match a user of that tenant."
              : mode === "key"
                ? "That API key was not accepted."
                : "That operator token was not accepted.",
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm">
        <h1 className="mb-6 text-center text-2xl font-semibold">Notifly</h1>
        <Card>
          <div role="tablist" aria-label="Sign-in method" className="mb-4 grid grid-cols-3 gap-1 rounded-md bg-slate-100 p-1">
            {(["user", "key", "operator"] as const).map((m) => (
              <button
                key={m}
                role="tab"
                type="button"
                aria-selected={mode === m}
                onClick={() => setMode(m)}
                className={`rounded px-2 py-1 text-sm ${mode === m ? "bg-white font-medium shadow-sm" : "text-slate-600"}`}
              >
                {m === "user" ? "Email and password" : m === "key" ? "API key" : "Operator"}
              </button>
            ))}
          </div>
          <form onSubmit={submit} className="space-y-4">
            {mode === "user" ? (
              <>
                <div>
                  <Label htmlFor="tenant">Tenant</Label>
                  <Input id="tenant" name="tenant" autoComplete="organization" required placeholder="acme" defaultValue={search.get("tenant") ?? ""} />
                </div>
                <div>
                  <Label htmlFor="email">Email</Label>
                  <Input id="email" name="email" type="email" autoComplete="username" required />
                </div>
                <div>
                  <Label htmlFor="password">Password</Label>
                  <Input id="password" name="password" type="password" autoComplete="current-password" required />
                </div>
              </>
            ) : mode === "key" ? (
              <div>
                <Label htmlFor="apiKey">API key</Label>
                <Input id="apiKey" name="apiKey" type="password" autoComplete="off" required placeholder="nf_live_…" />
                <p className="mt-1 text-xs text-slate-500">Kept in this tab's memory only: a reload asks for it again.</p>
              </div>
            ) : (
              <div>
                <Label htmlFor="operatorToken">Operator token</Label>
                <Input id="operatorToken" name="operatorToken" type="password" autoComplete="off" required />
                <p className="mt-1 text-xs text-slate-500">The deployment's token for managing tenants; kept in this tab's memory only.</p>
              </div>
            )}
            {error && <Alert>{error}</Alert>}
            <Button type="submit" className="w-full" disabled={busy}>
              {busy ? "Signing in…" : "Sign in"}
            </Button>
          </form>
        </Card>
      </div>
    </main>
  );
}
