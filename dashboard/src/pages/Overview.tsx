import { useEffect, useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Alert, Card, TableHead } from "../components/ui";
import { api, type DashboardMetrics } from "../lib/api";

const REFRESH_MS = 10_000;

const number = new Intl.NumberFormat();
// the API leaves nulls out of its answers: == null covers both
const percent = (rate?: number | null) => (rate == null ? "—" : `${(rate * 100).toFixed(1)} %`);
const ms = (value?: number | null) => (value == null ? "—" : `${number.format(Math.round(value))} ms`);
const hour = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

type SystemStatus = {
  database: { latencyMs: number };
  cluster: { activeSilos: number };
  kafka: { configured: boolean; statusEventsPending: number; oldestPendingSeconds?: number | null };
};

/** A backlog this old says the relay cannot reach Kafka. */
const STALE_OUTBOX_SECONDS = 60;

/** PostgreSQL, the silos and Kafka at a glance; "unreachable" when the API could not answer. */
function SystemHealth({ status, reachable }: { status: SystemStatus | null; reachable: boolean }) {
  if (!reachable) return <Alert>The API cannot reach PostgreSQL: nothing new is accepted until it can.</Alert>;
  if (!status) return null;
  const { kafka } = status;
  const stale = (kafka.oldestPendingSeconds ?? 0) > STALE_OUTBOX_SECONDS;
  const items = [
    { name: "PostgreSQL", value: `up, ${status.database.latencyMs.toFixed(1)} ms`, ok: true },
    { name: "Silos", value: `${status.cluster.activeSilos} active`, ok: status.cluster.activeSilos > 0 },
    {
      name: "Kafka",
      value: !kafka.configured
        ? "off (REST only)"
        : kafka.statusEventsPending === 0
          ? "status events flowing"
          : `${number.format(kafka.statusEventsPending)} status events waiting, oldest ${Math.round(kafka.oldestPendingSeconds ?? 0)} s`,
      ok: !stale,
    },
  ];
  return (
    <Card title="System">
      <ul className="grid grid-cols-1 gap-2 text-sm sm:grid-cols-3" data-testid="system">
        {items.map((item) => (
          <li key={item.name} className="flex items-center gap-2">
            <span aria-hidden="true" className={`inline-block h-2.5 w-2.5 rounded-full ${item.ok ? "bg-green-600" : "bg-red-600"}`} />
            <span className="font-medium">{item.name}</span>
            <span className="text-slate-600">
              {item.value}
              {!item.ok && <span className="sr-only"> (needs attention)</span>}
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}

export function OverviewPage() {
  const [metrics, setMetrics] = useState<DashboardMetrics | null>(null);
  const [system, setSystem] = useState<SystemStatus | null>(null);
  const [reachable, setReachable] = useState(true);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    async function load() {
      try {
        const next = await api<DashboardMetrics>("/api/admin/metrics?window=24h");
        if (!stopped) {
          setMetrics(next);
          setError(null);
        }
      } catch (failure) {
        if (!stopped) setError(failure instanceof Error ? failure.message : String(failure));
      }
      api<SystemStatus>("/api/admin/system").then(
        (next) => !stopped && (setSystem(next), setReachable(true)),
        () => !stopped && setReachable(false),
      );
    }
    void load();
    const timer = window.setInterval(load, REFRESH_MS);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, []);

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Last 24 hours</h1>
        <p className="text-sm text-slate-600">refreshes every 10 s</p>
      </div>
      {error && <Alert>{error}</Alert>}
      <SystemHealth status={system} reachable={reachable} />
      {metrics && (
        <>
          <div className="grid grid-cols-2 gap-4 md:grid-cols-5">
            <Stat label="Notifications" value={number.format(metrics.totals.notifications)} testId="total" />
            <Stat label="Success rate" value={percent(metrics.totals.successRate)} testId="success-rate" />
            <Stat label="Failed" value={number.format(metrics.totals.failed)} testId="failed" />
            <Stat label="Average latency" value={ms(metrics.totals.averageLatencyMs)} />
            <Stat label="p95 latency" value={ms(metrics.totals.p95LatencyMs)} />
          </div>
          <div className="grid gap-4 lg:grid-cols-2">
            <Card title="Notifications per hour">
              <div className="h-64">
                <ResponsiveContainer>
                  <BarChart data={metrics.buckets.map((b) => ({ ...b, label: hour(b.start) }))}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="label" fontSize={12} />
                    <YAxis allowDecimals={false} fontSize={12} />
                    <Tooltip />
                    <Legend />
                    <Bar dataKey="sent" name="Sent" stackId="n" fill="#4338ca" />
                    <Bar dataKey="failed" name="Failed" stackId="n" fill="#dc2626" />
                  </BarChart>
                </ResponsiveContainer>
              </div>
            </Card>
            <Card title="Provider latency per hour">
              <div className="h-64">
                <ResponsiveContainer>
                  <LineChart data={metrics.buckets.map((b) => ({ ...b, label: hour(b.start) }))}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="label" fontSize={12} />
                    <YAxis unit=" ms" fontSize={12} />
                    <Tooltip />
                    <Legend />
                    <Line dataKey="averageLatencyMs" name="Average" stroke="#4338ca" dot={{ r: 2 }} connectNulls />
                    <Line dataKey="p95LatencyMs" name="p95" stroke="#b45309" dot={{ r: 2 }} connectNulls />
                  </LineChart>
                </ResponsiveContainer>
              </div>
            </Card>
          </div>
          <div className="grid gap-4 lg:grid-cols-3">
            <Card title="Channels" className="lg:col-span-2">
              <Table
                head={["Channel", "Attempts", "Sent", "Failed", "Success", "Average", "p95"]}
                rows={metrics.byChannel.map((c) => [
                  c.channel,
                  number.format(c.attempts),
                  number.format(c.sent),
                  number.format(c.failed + c.abandoned),
                  percent(c.successRate),
                  ms(c.averageLatencyMs),
                  ms(c.p95LatencyMs),
                ])}
                empty="No attempts in the last 24 hours."
              />
            </Card>
            <Card title="By status">
              <Table
                head={["Status", "Notifications"]}
                rows={Object.entries(metrics.byStatus)
                  .filter(([, count]) => count > 0)
                  .map(([status, count]) => [status, number.format(count)])}
                empty="No notifications in the last 24 hours."
              />
            </Card>
          </div>
          <Card title="Failures in the last 7 days">
            <Table
              head={["Channel", "Error code", "Dead letters", "Failed attempts"]}
              rows={metrics.failureSummary.entries.map((f) => [f.channel, f.errorCode ?? "—", number.format(f.deadLetters), number.format(f.failedAttempts)])}
              empty="No failures."
            />
          </Card>
        </>
      )}
    </div>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <Card>
      <p className="text-sm text-slate-600">{label}</p>
      <p className="mt-1 text-2xl font-semibold" data-testid={testId}>
        {value}
      </p>
    </Card>
  );
}

function Table({ head, rows, empty }: { head: string[]; rows: string[][]; empty: string }) {
  if (rows.length === 0) return <p className="text-sm text-slate-600">{empty}</p>;
  return (
    <div className="overflow-x-auto" tabIndex={0}>
      <table className="w-full text-left text-sm">
        <TableHead columns={head} />
        <tbody>
          {rows.map((row) => (
            <tr key={row.join("|")} className="border-b border-slate-100 last:border-0">
              {row.map((cell, i) => (
                <td key={i} className="py-2 pr-4">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
