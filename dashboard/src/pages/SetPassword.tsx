import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { Alert, Button, Card, Input, Label } from "../components/ui";
import { api } from "../lib/api";
import { errorText } from "../lib/hooks";

/** Where an invitation link leads: the invited user chooses a password, then signs in. */
export function SetPasswordPage() {
  const [search] = useSearchParams();
  const token = search.get("token") ?? "";
  const tenant = search.get("tenant");
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (form.get("password") !== form.get("confirm")) {
      setError("The two passwords differ.");
      return;
    }
    try {
      await api("/api/auth/set-password", { method: "POST", body: JSON.stringify({ token, password: form.get("password") }) });
      setDone(true);
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm">
        <h1 className="mb-6 text-center text-2xl font-semibold">Choose a password</h1>
        <Card>
          {done ? (
            <p role="status" className="text-sm">
              Your password is set.{" "}
              <Link className="font-medium text-indigo-700 underline" to={tenant ? `/login?tenant=${encodeURIComponent(tenant)}` : "/login"}>
                Sign in
              </Link>
            </p>
          ) : token === "" ? (
            <Alert>This page needs the link from your invitation.</Alert>
          ) : (
            <form onSubmit={submit} className="space-y-4">
              <div>
                <Label htmlFor="new-password">Password</Label>
                <Input id="new-password" name="password" type="password" autoComplete="new-password" required minLength={12} />
                <p className="mt-1 text-xs text-slate-500">At least 12 characters.</p>
              </div>
              <div>
                <Label htmlFor="confirm">Password again</Label>
                <Input id="confirm" name="confirm" type="password" autoComplete="new-password" required />
              </div>
              {error && <Alert>{error}</Alert>}
              <Button type="submit" className="w-full">
                Set password
              </Button>
            </form>
          )}
        </Card>
      </div>
    </main>
  );
}
