import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { Alert, Button, Card, Input, Label, LoadMore, Select, StatusBadge, TableHead } from "../components/ui";
import { api, download, followStatus, type NotificationView, type Page } from "../lib/api";
import { time } from "../lib/hooks";

const statuses = ["", "ACCEPTED", "SCHEDULED", "PROCESSING", "RETRYING", "SENT", "DELIVERED", "FAILED", "CANCELLED", "SKIPPED", "BOUNCED", "EXPIRED"];
const channels = ["", "EMAIL", "SMS", "PUSH", "WEBHOOK"];

/** `from` and `to` are instants (ISO 8601); the form's local times are turned into them. */
type Filters = { status: string; channel: string; eventType: string; from: string; to: string };

function query(filters: Filters, cursor?: string | null) {
  const params = new URLSearchParams({ limit: "50" });
  for (const key of ["status", "channel", "eventType", "from", "to"] as const) {
    if (filters[key]) params.set(key, filters[key]);
  }
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}

/** A datetime-local input's value (the browser's time zone) as an instant; "" stays "". */
const instant = (local: FormDataEntryValue | null) => (local ? new Date(String(local)).toISOString() : "");

export function NotificationsPage() {
  const navigate = useNavigate();
  const [filters, setFilters] = useState<Filters>({ status: "", channel: "", eventType: "", from: "", to: "" });
  const [rows, setRows] = useState<NotificationView[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(true);
  const reloadTimer = useRef<number | undefined>(undefined);
  const shown = useRef(new Set<string>());
  useEffect(() => {
    shown.current = new Set(rows.map((row) => row.requestId));
  }, [rows]);

  const load = useCallback(async () => {
    try {
      const page = await api<Page<NotificationView>>(`/api/notifications?${query(filters)}`);
      setRows(page.items);
      setNext(page.nextCursor);
      setError(null);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }, [filters]);

  useEffect(() => void load(), [load]);

  // Live: a known row takes its new status at once; a new notification reloads the first page
  // (once for a burst), so that filters and order stay the server's.
  useEffect(() => {
    if (!live) return;
    const reloadSoon = () => {
      window.clearTimeout(reloadTimer.current);
      reloadTimer.current = window.setTimeout(() => void load(), 300);
    };
    const stop = followStatus((change) => {
      if (shown.current.has(change.requestId)) {
        setRows((current) => current.map((row) => (row.requestId === change.requestId ? { ...row, status: change.status } : row)));
      } else {
        reloadSoon();
      }
    }, reloadSoon);
    return () => {
      stop();
      window.clearTimeout(reloadTimer.current);
    };
  }, [live, load]);

  async function more(cursor: string) {
    try {
      const page = await api<Page<NotificationView>>(`/api/notifications?${query(filters, cursor)}`);
      setRows((current) => [...current, ...page.items]);
      setNext(page.nextCursor);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const id = String(new FormData(event.currentTarget).get("requestId")).trim();
    if (id) navigate(`/notifications/${encodeURIComponent(id)}`);
  }

  function filter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setFilters({
      status: String(form.get("status")),
      channel: String(form.get("channel")),
      eventType: String(form.get("eventType")).trim(),
      from: instant(form.get("from")),
      to: instant(form.get("to")),
    });
  }

  const exportCsv = () => {
    const params = new URLSearchParams();
    for (const key of ["channel", "eventType", "from", "to"] as const) {
      if (filters[key]) params.set(key, filters[key]);
    }
    void download(`/api/admin/logs?${params}`, "text/csv", "delivery-logs.csv").catch((failure) => setError(String(failure)));
  };

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">Notifications</h1>
        <div className="flex items-center gap-2">
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live
          </label>
          <Button variant="ghost" onClick={exportCsv}>
            Export delivery log (CSV)
          </Button>
        </div>
      </div>
      <Card>
        <form onSubmit={search} className="mb-4 flex flex-wrap items-end gap-2" role="search">
          <div className="min-w-64 flex-1">
            <Label htmlFor="requestId">Request id</Label>
            <Input id="requestId" name="requestId" placeholder="0194…" />
          </div>
          <Button type="submit">Open</Button>
        </form>
        <form onSubmit={filter} className="grid grid-cols-1 items-end gap-2 sm:grid-cols-3 lg:grid-cols-6">
          <div>
            <Label htmlFor="status">Status</Label>
            <Select id="status" name="status" defaultValue="">
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {s || "Any"}
                </option>
              ))}
            </Select>
          </div>
          <div>
            <Label htmlFor="channel">Channel</Label>
            <Select id="channel" name="channel" defaultValue="">
              {channels.map((c) => (
                <option key={c} value={c}>
                  {c || "Any"}
                </option>
              ))}
            </Select>
          </div>
          <div>
            <Label htmlFor="eventType">Event type</Label>
            <Input id="eventType" name="eventType" placeholder="order.paid" />
          </div>
          <div>
            <Label htmlFor="from">Created from</Label>
            <Input id="from" name="from" type="datetime-local" />
          </div>
          <div>
            <Label htmlFor="to">Created before</Label>
            <Input id="to" name="to" type="datetime-local" />
          </div>
          <Button type="submit">Filter</Button>
        </form>
      </Card>
      {error && <Alert>{error}</Alert>}
      <Card>
        {rows.length === 0 ? (
          <p className="text-sm text-slate-600">No notifications match.</p>
        ) : (
          <div className="overflow-x-auto" tabIndex={0}>
            <table className="w-full text-left text-sm">
              <TableHead columns={["Request", "Event type", "Status", "Channels", "Created"]} />
              <tbody>
                {rows.map((row) => (
                  <tr key={row.requestId} className="border-b border-slate-100 last:border-0" data-request-id={row.requestId}>
                    <td className="py-2 pr-4 font-mono text-xs">
                      <Link className="text-indigo-700 underline" to={`/notifications/${row.requestId}`}>
                        {row.requestId}
                      </Link>
                    </td>
                    <td className="py-2 pr-4">{row.eventType}</td>
                    <td className="py-2 pr-4" data-testid="status">
                      <StatusBadge status={row.status} />
                    </td>
                    <td className="py-2 pr-4">{row.channels.join(", ")}</td>
                    <td className="py-2 pr-4 whitespace-nowrap">{time(row.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore cursor={next} onLoad={(cursor) => void more(cursor)} />
      </Card>
    </div>
  );
}
