import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { AddEventType, Alert, Button, Card, Input, Label, LoadMore, TableHead } from "../components/ui";
import { api, ApiError, may, type Channel, type Page } from "../lib/api";
import { useAuth } from "../lib/auth";
import { errorText } from "../lib/hooks";

type Preferences = { channels?: Partial<Record<Channel, boolean>> | null; eventTypes?: Record<string, Partial<Record<Channel, boolean>>> | null };
type Profile = {
  userId?: string;
  email?: string | null;
  phone?: string | null;
  pushTokens?: string[] | null;
  webhookUrl?: string | null;
  locale?: string | null;
  timezone?: string | null;
  preferences?: Preferences | null;
};

const channels: Channel[] = ["EMAIL", "SMS", "PUSH", "WEBHOOK"];

export function RecipientsPage() {
  const navigate = useNavigate();
  const [profiles, setProfiles] = useState<Profile[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function load(after: string | null) {
    try {
      const page = await api<Page<Profile>>(`/api/recipients?limit=50${after ? `&cursor=${encodeURIComponent(after)}` : ""}`);
      setProfiles((current) => (after ? [...current, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  useEffect(() => void load(null), []);

  function open(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const userId = String(new FormData(event.currentTarget).get("userId")).trim();
    if (userId) navigate(`/recipients/${encodeURIComponent(userId)}`);
  }

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Recipients</h1>
      <p className="text-sm text-slate-600">Profiles let a notification name only a userId; preferences record what each user opted out of.</p>
      {error && <Alert>{error}</Alert>}
      <Card title="Open or create a recipient">
        <form onSubmit={open} className="flex flex-wrap items-end gap-2">
          <div className="min-w-48 flex-1">
            <Label htmlFor="open-user">User id</Label>
            <Input id="open-user" name="userId" required maxLength={256} placeholder="user-42" />
          </div>
          <Button type="submit">Open</Button>
        </form>
      </Card>
      <Card title="Recipients">
        <div className="overflow-x-auto" tabIndex={0}>
          <table className="w-full text-left text-sm">
            <TableHead columns={["User id", "Email", "Phone", "Push tokens", "Webhook", "Locale"]} />
            <tbody>
              {profiles.map((p) => (
                <tr key={p.userId} className="border-b border-slate-100 last:border-0" data-recipient={p.userId}>
                  <td className="py-2 pr-4">
                    <Link className="font-mono text-indigo-700 underline" to={`/recipients/${encodeURIComponent(p.userId ?? "")}`}>
                      {p.userId}
                    </Link>
                  </td>
                  <td className="py-2 pr-4">{p.email ?? "—"}</td>
                  <td className="py-2 pr-4">{p.phone ?? "—"}</td>
                  <td className="py-2 pr-4">{p.pushTokens?.length ?? 0}</td>
                  <td className="py-2 pr-4 break-all">{p.webhookUrl ?? "—"}</td>
                  <td className="py-2 pr-4">{[p.locale, p.timezone].filter(Boolean).join(", ") || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {profiles.length === 0 && <p className="py-2 text-sm text-slate-600">No recipient profiles yet.</p>}
        </div>
        <LoadMore cursor={cursor} onLoad={(next) => void load(next)} />
      </Card>
    </div>
  );
}

/** A preference row's opt-outs, from the checkboxes of "receives" (unchecked is an opt-out). */
function optOuts(form: FormData, prefix: string) {
  return Object.fromEntries(channels.filter((c) => form.get(`${prefix}-${c}`) !== "on").map((c) => [c, false]));
}

function ReceivesRow({ prefix, label, values, disabled }: { prefix: string; label: string; values?: Partial<Record<Channel, boolean>> | null; disabled: boolean }) {
  return (
    <tr className="border-b border-slate-100 last:border-0">
      <th scope="row" className="py-2 pr-4 text-left font-mono text-xs font-normal">
        {label}
      </th>
      {channels.map((c) => (
        <td key={c} className="py-2 pr-4">
          <input type="checkbox" name={`${prefix}-${c}`} aria-label={`${label}: ${c}`} defaultChecked={values?.[c] !== false} disabled={disabled} />
        </td>
      ))}
    </tr>
  );
}

export function RecipientPage() {
  const { userId = "" } = useParams();
  const navigate = useNavigate();
  const { caller } = useAuth();
  const canEdit = may.send(caller?.role);
  const [profile, setProfile] = useState<Profile | null | undefined>(undefined); // null: no profile yet
  const [eventTypes, setEventTypes] = useState<string[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const path = `/api/recipients/${encodeURIComponent(userId)}`;

  useEffect(() => {
    api<Profile>(path).then(
      (found) => {
        setProfile(found);
        setEventTypes(Object.keys(found.preferences?.eventTypes ?? {}));
      },
      (failure) => (failure instanceof ApiError && failure.status === 404 ? setProfile(null) : setError(errorText(failure))),
    );
  }, [path]);

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim() || null;
    const body: Profile = {
      email: text("email"),
      phone: text("phone"),
      pushTokens: String(form.get("pushTokens") ?? "").split(/\s+/).filter(Boolean),
      webhookUrl: text("webhookUrl"),
      locale: text("locale"),
      timezone: text("timezone"),
      preferences: {
        channels: optOuts(form, "all"),
        eventTypes: Object.fromEntries(eventTypes.map((type) => [type, optOuts(form, `type:${type}`)])),
      },
    };
    try {
      const stored = await api<Profile>(path, { method: "PUT", body: JSON.stringify(body) });
      setProfile(stored);
      setMessage("Saved.");
      setError(null);
    } catch (failure) {
      setError(errorText(failure));
      setMessage(null);
    }
  }

  async function remove() {
    if (!window.confirm(`Delete the profile of ${userId}? Notifications naming only this userId will have nowhere to go.`)) return;
    try {
      await api(path, { method: "DELETE" });
      navigate("/recipients");
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  if (profile === undefined) return error ? <Alert>{error}</Alert> : <p className="text-sm text-slate-600">Loading…</p>;
  const fields: { name: keyof Profile; label: string; type?: string; placeholder: string }[] = [
    { name: "email", label: "Email", type: "email", placeholder: "ada@example.com" },
    { name: "phone", label: "Phone (E.164)", placeholder: "+15551234567" },
    { name: "webhookUrl", label: "Webhook URL", type: "url", placeholder: "https://example.com/hook" },
    { name: "locale", label: "Locale", placeholder: "en-GB" },
    { name: "timezone", label: "Time zone", placeholder: "Europe/London" },
  ];

  return (
    <form onSubmit={save} className="space-y-4">
      <p className="text-sm">
        <Link className="text-indigo-700 underline" to="/recipients">
          Recipients
        </Link>
      </p>
      <h1 className="text-xl font-semibold">
        <span className="font-mono">{userId}</span> {profile === null && <span className="text-sm font-normal text-slate-600">(no profile yet)</span>}
      </h1>
      {error && <Alert>{error}</Alert>}
      {message && (
        <p role="status" className="text-sm text-slate-700">
          {message}
        </p>
      )}
      <fieldset disabled={!canEdit} className="space-y-4">
        <Card title="Profile">
          <div className="grid grid-cols-1 gap-2 sm:grid-cols-2">
            {fields.map(({ name, label, type, placeholder }) => (
              <div key={name}>
                <Label htmlFor={`recipient-${name}`}>{label}</Label>
                <Input id={`recipient-${name}`} name={name} type={type ?? "text"} defaultValue={(profile?.[name] as string | null) ?? ""} placeholder={placeholder} />
              </div>
            ))}
            <div>
              <Label htmlFor="recipient-pushTokens">Push tokens (one per line)</Label>
              <textarea
                id="recipient-pushTokens"
                name="pushTokens"
                className="block min-h-16 w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs"
                defaultValue={(profile?.pushTokens ?? []).join("\n")}
              />
            </div>
          </div>
        </Card>
        <Card title="Receives">
          <div className="overflow-x-auto" tabIndex={0}>
            <table className="text-left text-sm">
              <TableHead columns={[{ hidden: "Event type" }, ...channels]} />
              <tbody>
                <ReceivesRow prefix="all" label="every event" values={profile?.preferences?.channels} disabled={!canEdit} />
                {eventTypes.map((type) => (
                  <ReceivesRow key={type} prefix={`type:${type}`} label={type} values={profile?.preferences?.eventTypes?.[type]} disabled={!canEdit} />
                ))}
              </tbody>
            </table>
          </div>
          {canEdit && (
            <div className="mt-2">
              <AddEventType
                id="new-event-type"
                label="Event type with its own choices"
                action="Add event type"
                placeholder="marketing.digest"
                onAdd={(type) => !eventTypes.includes(type) && setEventTypes([...eventTypes, type])}
              />
            </div>
          )}
        </Card>
      </fieldset>
      {canEdit && (
        <div className="flex gap-2">
          <Button type="submit">Save recipient</Button>
          {profile !== null && (
            <Button type="button" variant="ghost" onClick={() => void remove()}>
              Delete
            </Button>
          )}
        </div>
      )}
    </form>
  );
}
