import { useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { Alert, Button, Card, StatusBadge, TableHead } from "../components/ui";
import { api, ApiError, may, type DeadLetter, type NotificationDetails, type NotificationEvent, type Page } from "../lib/api";
import { useAuth } from "../lib/auth";
import { errorText, time } from "../lib/hooks";

const open = new Set(["ACCEPTED", "SCHEDULED", "PROCESSING", "RETRYING"]);

type WebhookDelivery = {
  id: string;
  endpointId: string;
  eventType: string;
  status: "pending" | "retrying" | "succeeded" | "failed";
  attemptCount: number;
  responseStatus?: number | null;
  error?: string | null;
  createdAt: string;
};
const deliveryColour = { pending: "PROCESSING", retrying: "RETRYING", succeeded: "SENT", failed: "FAILED" } as const;

export function NotificationDetailPage() {
  const { requestId = "" } = useParams();
  const { caller } = useAuth();
  const [details, setDetails] = useState<NotificationDetails | null>(null);
  const [events, setEvents] = useState<NotificationEvent[]>([]);
  const [deadLetters, setDeadLetters] = useState<DeadLetter[]>([]);
  const [webhooks, setWebhooks] = useState<WebhookDelivery[] | null>(null); // null: not the caller's to see
  const [endpoints, setEndpoints] = useState<Map<string, string>>(new Map()); // id → URL
  const [error, setError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const role = caller?.role;

  const load = useCallback(async () => {
    try {
      const id = encodeURIComponent(requestId);
      const [d, e, w, urls] = await Promise.all([
        api<NotificationDetails>(`/api/notifications/${id}`),
        api<NotificationEvent[]>(`/api/notifications/${id}/events`),
        may.admin(role) ? api<WebhookDelivery[]>(`/api/webhooks/deliveries?notificationId=${id}`) : Promise.resolve(null),
        may.admin(role) ? api<{ id: string; url: string }[]>("/api/webhooks") : Promise.resolve([]),
      ]);
      // a failed notification's open dead letters are what "Retry" acts on
      const dead = d.notification.status === "FAILED" && may.edit(role) ? (await api<Page<DeadLetter>>(`/api/admin/dlq?requestId=${id}`)).items : [];
      setDetails(d);
      setEvents(e);
      setWebhooks(w);
      setEndpoints(new Map(urls.map((endpoint) => [endpoint.id, endpoint.url])));
      setDeadLetters(dead);
      setError(null);
    } catch (failure) {
      setError(failure instanceof ApiError && (failure.status === 404 || failure.status === 400) ? "No notification of this tenant has that id." : errorText(failure));
    }
  }, [requestId, role]);

  useEffect(() => {
    void load();
    const timer = window.setInterval(load, 5_000);
    return () => window.clearInterval(timer);
  }, [load]);

  /** A button's action; its failure shows above the page, which stays. */
  async function act(path: string) {
    try {
      await api(path, { method: "POST", body: "{}" });
      setActionError(null);
      await load();
    } catch (failure) {
      setActionError(errorText(failure));
    }
  }

  if (error) return <Alert>{error}</Alert>;
  if (details === null) return <p className="text-sm text-slate-600">Loading…</p>;
  const n = details.notification;
  return (
    <div className="space-y-4">
      <p className="text-sm">
        <Link className="text-indigo-700 underline" to="/notifications">
          Notifications
        </Link>
      </p>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="font-mono text-lg font-semibold break-all">{n.requestId}</h1>
        <span data-testid="detail-status">
          <StatusBadge status={n.status} />
        </span>
        {may.send(caller?.role) && open.has(n.status) && (
          <Button variant="ghost" onClick={() => void act(`/api/notifications/${requestId}/cancel`)}>
            Cancel
          </Button>
        )}
        {deadLetters.map((entry) => (
          <Button key={entry.id} onClick={() => void act(`/api/admin/dlq/${entry.id}/retry`)}>
            Retry {entry.channel}
          </Button>
        ))}
      </div>
      {actionError && <Alert>{actionError}</Alert>}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Request">
          <dl className="grid grid-cols-3 gap-x-4 gap-y-1 text-sm">
            <dt className="text-slate-600">Event type</dt>
            <dd className="col-span-2">{n.eventType}</dd>
            <dt className="text-slate-600">Channels</dt>
            <dd className="col-span-2">{n.channels.join(", ")}</dd>
            <dt className="text-slate-600">Priority</dt>
            <dd className="col-span-2">{n.priority}</dd>
            <dt className="text-slate-600">Correlation id</dt>
            <dd className="col-span-2 font-mono text-xs break-all">{n.correlationId}</dd>
            <dt className="text-slate-600">Created</dt>
            <dd className="col-span-2">{time(n.createdAt)}</dd>
            {n.sendAt && (
              <>
                <dt className="text-slate-600">Send at</dt>
                <dd className="col-span-2">{time(n.sendAt)}</dd>
              </>
            )}
            {n.expiresAt && (
              <>
                <dt className="text-slate-600">Expires</dt>
                <dd className="col-span-2">{time(n.expiresAt)}</dd>
              </>
            )}
          </dl>
        </Card>
        <Card title="Content">
          <dl className="grid grid-cols-3 gap-x-4 gap-y-1 text-sm">
            {Object.entries(details.content.recipient)
              .filter(([, v]) => v)
              .map(([k, v]) => (
                <div key={k} className="contents">
                  <dt className="text-slate-600">{k}</dt>
                  <dd className="col-span-2 break-all">{v}</dd>
                </div>
              ))}
            {details.content.subject && (
              <>
                <dt className="text-slate-600">Subject</dt>
                <dd className="col-span-2">{details.content.subject}</dd>
              </>
            )}
            {details.content.template && (
              <>
                <dt className="text-slate-600">Template</dt>
                <dd className="col-span-2">
                  {details.content.template.name} v{details.content.template.version}
                </dd>
              </>
            )}
          </dl>
          {details.content.body && <pre tabIndex={0} className="mt-2 max-h-48 overflow-auto rounded bg-slate-50 p-2 text-xs whitespace-pre-wrap">{details.content.body}</pre>}
          <pre tabIndex={0} className="mt-2 max-h-48 overflow-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(details.content.payload, null, 2)}</pre>
        </Card>
      </div>
      <Card title="Attempts">
        {details.logs.length === 0 ? (
          <p className="text-sm text-slate-600">No attempt yet.</p>
        ) : (
          <div className="overflow-x-auto" tabIndex={0}>
            <table className="w-full text-left text-sm">
              <TableHead columns={["Channel", "Attempt", "Status", "Provider", "Provider's id", "Latency", "Error", "At"]} />
              <tbody>
                {details.logs.map((log) => (
                  <tr key={`${log.channel}-${log.attempt}`} className="border-b border-slate-100 last:border-0">
                    <td className="py-2 pr-4">{log.channel}</td>
                    <td className="py-2 pr-4">{log.attempt}</td>
                    <td className="py-2 pr-4">
                      <StatusBadge status={log.status} />
                    </td>
                    <td className="py-2 pr-4">{log.provider ?? "—"}</td>
                    <td className="py-2 pr-4 font-mono text-xs break-all">{log.providerMessageId ?? "—"}</td>
                    <td className="py-2 pr-4">{log.latencyMs == null ? "—" : `${log.latencyMs} ms`}</td>
                    <td className="py-2 pr-4">{log.errorCode ? `${log.errorCode}: ${log.errorMessage ?? ""}` : "—"}</td>
                    <td className="py-2 pr-4 whitespace-nowrap">{time(log.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      {webhooks !== null && (
        <Card title="Status webhooks">
          {webhooks.length === 0 ? (
            <p className="text-sm text-slate-600">None of your status webhook endpoints was told of this notification.</p>
          ) : (
            <div className="overflow-x-auto" tabIndex={0}>
              <table className="w-full text-left text-sm">
                <TableHead columns={["Event", "Endpoint", "Status", "Attempts", "Answer", "Created"]} />
                <tbody>
                  {webhooks.map((d) => (
                    <tr key={d.id} className="border-b border-slate-100 last:border-0" data-webhook-delivery={d.eventType}>
                      <td className="py-2 pr-4 font-mono text-xs">{d.eventType}</td>
                      <td className="py-2 pr-4">
                        <Link className="break-all text-indigo-700 underline" to={`/webhooks/${d.endpointId}`}>
                          {endpoints.get(d.endpointId) ?? "a deleted endpoint"}
                        </Link>
                      </td>
                      <td className="py-2 pr-4">
                        <StatusBadge status={d.status} like={deliveryColour[d.status]} />
                      </td>
                      <td className="py-2 pr-4">{d.attemptCount}</td>
                      <td className="py-2 pr-4 text-xs">{[d.responseStatus, d.error].filter((x) => x != null).join(" ") || "—"}</td>
                      <td className="py-2 pr-4 whitespace-nowrap">{time(d.createdAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      )}
      <Card title="Timeline">
        <ol className="space-y-2" aria-label="Timeline">
          {events.map((event) => (
            <li key={event.id} className="flex flex-wrap gap-x-3 text-sm">
              <span className="w-44 shrink-0 text-slate-600">{time(event.createdAt)}</span>
              <span className="font-medium">{event.event}</span>
              <span className="font-mono text-xs break-all text-slate-700">{event.details ? JSON.stringify(event.details) : ""}</span>
            </li>
          ))}
        </ol>
      </Card>
    </div>
  );
}
