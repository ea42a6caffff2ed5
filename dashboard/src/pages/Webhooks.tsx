import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { Alert, Button, Card, Input, Label, Select, ShownOnce, StatusBadge, TableHead } from "../components/ui";
import { api, type Page } from "../lib/api";
import { errorText, time, useResource } from "../lib/hooks";

type Endpoint = {
  id: string;
  url: string;
  description?: string | null;
  events: string[];
  headers: Record<string, string>;
  timeoutSeconds: number;
  active: boolean;
  disabledAt?: string | null;
  disabledReason?: string | null;
  consecutiveFailures: number;
  previousSecretExpiresAt?: string | null;
  createdAt: string;
};
type Delivery = {
  id: string;
  eventType: string;
  notificationId?: string | null;
  status: "pending" | "retrying" | "succeeded" | "failed";
  attemptCount: number;
  nextAttemptAt?: string | null;
  lastAttemptAt?: string | null;
  responseStatus?: number | null;
  responseBody?: string | null;
  error?: string | null;
  createdAt: string;
  payload: unknown;
};

/** The status events an endpoint may subscribe to (README's "Status webhooks"). */
const events = ["created", "sent", "delivered", "bounced", "failed", "retry_scheduled", "cancelled", "skipped"].map((e) => `notification.${e}`);

function SecretShown({ secret, note, onDone }: { secret: string; note: string; onDone: () => void }) {
  return (
    <ShownOnce title="The signing secret: copy it now, it is not shown again" value={secret} testId="webhook-secret" onDone={onDone}>
      <p className="text-xs text-slate-600">{note}</p>
    </ShownOnce>
  );
}

export function WebhooksPage() {
  const { data: endpoints = [], error, run } = useResource<Endpoint[]>("/api/webhooks");
  const [created, setCreated] = useState<{ endpoint: Endpoint; secret: string } | null>(null);

  function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    void run(async () => {
      const answer = await api<{ endpoint: Endpoint; secret: string }>("/api/webhooks", {
        method: "POST",
        body: JSON.stringify({
          url: form.get("url"),
          events: form.getAll("events"),
          description: form.get("description") || null,
          timeoutSeconds: Number(form.get("timeout")),
        }),
      });
      setCreated(answer);
      formElement.reset();
    });
  }

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Status webhooks</h1>
      <p className="text-sm text-slate-600">Your endpoints hear of your notifications' status changes, signed per Standard Webhooks.</p>
      {error && <Alert>{error}</Alert>}
      {created && (
        <SecretShown secret={created.secret} note={`For ${created.endpoint.url}: verify each request's webhook-signature with it.`} onDone={() => setCreated(null)} />
      )}
      <Card title="Endpoints">
        {endpoints.length === 0 ? (
          <p className="text-sm text-slate-600">No endpoints yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {endpoints.map((endpoint) => (
              <li key={endpoint.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 py-2">
                <Link className="font-medium break-all text-indigo-700 underline" to={`/webhooks/${endpoint.id}`}>
                  {endpoint.url}
                </Link>
                <StatusBadge status={endpoint.active ? "active" : "disabled"} like={endpoint.active ? "SENT" : "FAILED"} />
                <span className="text-slate-600">{endpoint.events.join(", ")}</span>
                {endpoint.description && <span className="text-slate-600">{endpoint.description}</span>}
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Add an endpoint">
        <form onSubmit={create} className="space-y-3">
          <div className="grid grid-cols-1 gap-2 sm:grid-cols-3">
            <div className="sm:col-span-2">
              <Label htmlFor="webhook-url">URL</Label>
              <Input id="webhook-url" name="url" type="url" required placeholder="https://hooks.example.com/notifly" />
            </div>
            <div>
              <Label htmlFor="webhook-timeout">Timeout (seconds)</Label>
              <Input id="webhook-timeout" name="timeout" type="number" min={1} max={30} defaultValue={10} required />
            </div>
          </div>
          <div>
            <Label htmlFor="webhook-description">Description</Label>
            <Input id="webhook-description" name="description" maxLength={500} placeholder="ops alerts" />
          </div>
          <fieldset>
            <legend className="mb-1 text-sm font-medium text-slate-700">Events</legend>
            <div className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
              {events.map((name) => (
                <label key={name} className="inline-flex items-center gap-1">
                  <input type="checkbox" name="events" value={name} defaultChecked={name === "notification.sent" || name === "notification.failed"} />
                  {name}
                </label>
              ))}
            </div>
          </fieldset>
          <Button type="submit">Add endpoint</Button>
        </form>
      </Card>
    </div>
  );
}

/** A delivery's status coloured like the notification status it resembles. */
const deliveryColour: Record<Delivery["status"], string> = { pending: "PROCESSING", retrying: "RETRYING", succeeded: "SENT", failed: "FAILED" };

export function WebhookPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const [secret, setSecret] = useState<{ value: string; note: string } | null>(null);
  const [status, setStatus] = useState("");
  const endpoint = useResource<Endpoint>(`/api/webhooks/${id}`);
  const deliveries = useResource<Page<Delivery>>(`/api/webhooks/${id}/deliveries?limit=50${status ? `&status=${status}` : ""}`);
  const error = endpoint.error ?? deliveries.error;
  // while a delivery is on its way, look again every few seconds
  const waiting = deliveries.data?.items.some((d) => d.status === "pending" || d.status === "retrying") ?? false;
  const { reload } = deliveries;
  useEffect(() => {
    if (!waiting) return;
    const timer = window.setInterval(() => void reload(), 2_000);
    return () => window.clearInterval(timer);
  }, [waiting, reload]);
  /** Runs an action on the endpoint, then shows it and its deliveries again. */
  async function act(action: () => Promise<unknown>) {
    if (await endpoint.run(action)) await deliveries.reload();
  }

  const test = () => act(() => api(`/api/webhooks/${id}/test`, { method: "POST", body: "{}" }));
  const enable = () => act(() => api(`/api/webhooks/${id}/enable`, { method: "POST", body: "{}" }));
  const redeliver = (delivery: Delivery) => act(() => api(`/api/webhooks/${id}/deliveries/${delivery.id}/redeliver`, { method: "POST", body: "{}" }));
  const rotate = () =>
    window.confirm("Rotate the signing secret? The old one keeps signing beside the new one for the overlap.") &&
    act(async () => {
      const rotated = await api<{ secret: string; previousSecretExpiresAt: string }>(`/api/webhooks/${id}/rotate-secret`, { method: "POST", body: "{}" });
      setSecret({ value: rotated.secret, note: `The old secret keeps signing beside it until ${time(rotated.previousSecretExpiresAt)}.` });
    });
  async function remove() {
    if (!window.confirm("Delete this endpoint and its deliveries?")) return;
    try {
      await api(`/api/webhooks/${id}`, { method: "DELETE" });
      navigate("/webhooks");
    } catch (failure) {
      endpoint.setError(errorText(failure));
    }
  }

  const e = endpoint.data;
  return (
    <div className="space-y-4">
      <p className="text-sm">
        <Link className="text-indigo-700 underline" to="/webhooks">
          Status webhooks
        </Link>
      </p>
      <h1 className="text-xl font-semibold break-all">{e?.url ?? "Endpoint"}</h1>
      {error && <Alert>{error}</Alert>}
      {secret && <SecretShown secret={secret.value} note={secret.note} onDone={() => setSecret(null)} />}
      {e && (
        <Card title="Endpoint">
          <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
            <div>
              <dt className="text-slate-600">State</dt>
              <dd data-testid="endpoint-state">
                {e.active ? "active" : `disabled ${time(e.disabledAt)}${e.disabledReason ? `: ${e.disabledReason}` : ""}`}
              </dd>
            </div>
            <div>
              <dt className="text-slate-600">Failures in a row</dt>
              <dd>{e.consecutiveFailures}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Events</dt>
              <dd>{e.events.join(", ")}</dd>
            </div>
            <div>
              <dt className="text-slate-600">Timeout</dt>
              <dd>{e.timeoutSeconds} s</dd>
            </div>
            {e.previousSecretExpiresAt && (
              <div>
                <dt className="text-slate-600">Previous secret signs until</dt>
                <dd>{time(e.previousSecretExpiresAt)}</dd>
              </div>
            )}
            {Object.keys(e.headers).length > 0 && (
              <div>
                <dt className="text-slate-600">Extra headers</dt>
                <dd>{Object.keys(e.headers).join(", ")}</dd>
              </div>
            )}
          </dl>
          <div className="mt-3 flex flex-wrap gap-2">
            <Button onClick={() => void test()}>Send a test ping</Button>
            {!e.active && <Button onClick={() => void enable()}>Enable</Button>}
            <Button variant="ghost" onClick={() => void rotate()}>
              Rotate secret
            </Button>
            <Button variant="ghost" onClick={() => void remove()}>
              Delete
            </Button>
          </div>
        </Card>
      )}
      <Card title="Deliveries">
        <div className="mb-2 flex flex-wrap items-end gap-2">
          <div>
            <Label htmlFor="delivery-status">Status</Label>
            <Select id="delivery-status" value={status} onChange={(event) => setStatus(event.target.value)}>
              <option value="">any</option>
              {Object.keys(deliveryColour).map((s) => (
                <option key={s}>{s}</option>
              ))}
            </Select>
          </div>
          <Button variant="ghost" onClick={() => void deliveries.reload()}>
            Refresh
          </Button>
        </div>
        <div className="overflow-x-auto" tabIndex={0}>
          <table className="w-full text-left text-sm">
            <TableHead columns={["Created", "Event", "Status", "Attempts", "Answer", "Notification", { hidden: "Actions" }]} />
            <tbody>
              {(deliveries.data?.items ?? []).map((d) => (
                <tr key={d.id} className="border-b border-slate-100 align-top last:border-0" data-delivery={d.eventType}>
                  <td className="py-2 pr-4 whitespace-nowrap">{time(d.createdAt)}</td>
                  <td className="py-2 pr-4 font-mono text-xs">{d.eventType}</td>
                  <td className="py-2 pr-4" data-testid="delivery-status">
                    <StatusBadge status={d.status} like={deliveryColour[d.status]} />
                  </td>
                  <td className="py-2 pr-4">{d.attemptCount}</td>
                  <td className="py-2 pr-4 text-xs">
                    {d.responseStatus ?? ""} {d.error ?? ""}
                    {d.nextAttemptAt && <span className="block text-slate-600">next {time(d.nextAttemptAt)}</span>}
                  </td>
                  <td className="py-2 pr-4 font-mono text-xs">{d.notificationId ?? "—"}</td>
                  <td className="py-2 pr-4">
                    {(d.status === "succeeded" || d.status === "failed") && (
                      <Button variant="ghost" onClick={() => void redeliver(d)}>
                        Redeliver
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {deliveries.data && deliveries.data.items.length === 0 && <p className="py-2 text-sm text-slate-600">No deliveries.</p>}
        </div>
      </Card>
    </div>
  );
}
