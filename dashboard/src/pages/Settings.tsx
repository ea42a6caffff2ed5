import { useEffect, useState, type FormEvent } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { AddEventType, Alert, Button, Card, Input, Label, Select } from "../components/ui";
import { api, may, type Channel } from "../lib/api";
import { useAuth } from "../lib/auth";
import { errorText, useResource } from "../lib/hooks";

type RetryPolicy = { maxAttempts: number; initialDelayMs: number; maxDelayMs: number; backoffMultiplier: number; ttlSeconds?: number | null };
type TenantSettings = {
  rateLimits: { requestsPerMinute: number; requestsPerHour: number; burstLimit: number };
  retryPolicies: { default: RetryPolicy; eventTypes: Record<string, RetryPolicy> };
  channelFallback: Record<string, Channel[]>;
  disabledChannels: Channel[];
  retention: { days: number | null };
};
type RetryPreview = { retries: { attempt: number; delayMs: number; maxDelayWithJitterMs: number }[]; jitterFraction: number };

const channels: Channel[] = ["EMAIL", "SMS", "PUSH", "WEBHOOK"];
const policyFields: { key: Exclude<keyof RetryPolicy, "ttlSeconds">; label: string; step?: string }[] = [
  { key: "maxAttempts", label: "Attempts" },
  { key: "initialDelayMs", label: "First wait (ms)" },
  { key: "maxDelayMs", label: "Longest wait (ms)" },
  { key: "backoffMultiplier", label: "Multiplier", step: "0.1" },
];
const rateFields: { key: keyof TenantSettings["rateLimits"]; label: string }[] = [
  { key: "requestsPerMinute", label: "Requests per minute" },
  { key: "requestsPerHour", label: "Requests per hour" },
  { key: "burstLimit", label: "Burst" },
];

/** The waits a policy gives, from the API (which checks the candidate like a save would), drawn as bars. */
function BackoffPreview({ policy }: { policy: RetryPolicy }) {
  const [preview, setPreview] = useState<RetryPreview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const timer = window.setTimeout(() => {
      const query = new URLSearchParams(policyFields.map(({ key }) => [key, String(policy[key])]));
      api<RetryPreview>(`/api/admin/settings/retry-policies/preview?${query}`).then(
        (answer) => (setPreview(answer), setProblem(null)),
        (failure) => setProblem(errorText(failure)),
      );
    }, 300); // after typing pauses
    return () => window.clearTimeout(timer);
  }, [policy]);

  if (problem) return <p className="text-sm text-red-800">{problem}</p>;
  if (!preview) return null;
  const rows = preview.retries.map((r) => ({ attempt: `#${r.attempt}`, wait: r.delayMs / 1000, jitter: (r.maxDelayWithJitterMs - r.delayMs) / 1000 }));
  const total = preview.retries.reduce((sum, r) => sum + r.delayMs, 0) / 1000;
  return (
    <figure data-testid="backoff-preview">
      <figcaption className="mb-1 text-sm text-slate-600">
        {rows.length === 0 ? "No retries: one attempt only." : `${rows.length} retries, about ${total.toFixed(1)} s of waiting before the last (each wait up to ${Math.round(preview.jitterFraction * 100)} % longer, at random).`}
      </figcaption>
      {rows.length > 0 && (
        <div className="h-48">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={rows}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="attempt" fontSize={12} />
              <YAxis fontSize={12} unit=" s" />
              <Tooltip />
              <Legend />
              <Bar dataKey="wait" name="wait before the attempt (s)" stackId="a" fill="#4338ca" />
              <Bar dataKey="jitter" name="up to, with jitter (s)" stackId="a" fill="#a5b4fc" />
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
    </figure>
  );
}

function PolicyInputs({ id, policy, onChange }: { id: string; policy: RetryPolicy; onChange: (next: RetryPolicy) => void }) {
  return (
    <div className="grid grid-cols-2 gap-2 sm:grid-cols-5">
      {policyFields.map(({ key, label, step }) => (
        <div key={key}>
          <Label htmlFor={`${id}-${key}`}>{label}</Label>
          <Input
            id={`${id}-${key}`}
            type="number"
            step={step ?? "1"}
            min={0}
            required
            value={policy[key]}
            onChange={(event) => onChange({ ...policy, [key]: Number(event.target.value) })}
          />
        </div>
      ))}
      <div>
        <Label htmlFor={`${id}-ttlSeconds`}>Expires after (s)</Label>
        <Input
          id={`${id}-ttlSeconds`}
          type="number"
          min={1}
          placeholder="never"
          title="A notification of this kind not sent within this many seconds of being due ends EXPIRED (unless its request names expiresAt)."
          value={policy.ttlSeconds ?? ""}
          onChange={(event) => onChange({ ...policy, ttlSeconds: event.target.value === "" ? null : Number(event.target.value) })}
        />
      </div>
    </div>
  );
}

export function SettingsPage() {
  const { caller } = useAuth();
  const canEdit = may.admin(caller?.role);
  const saved = useResource<TenantSettings>("/api/admin/settings");
  const [draft, setDraft] = useState<TenantSettings | null>(null);
  const [shown, setShown] = useState<string>(""); // which policy the chart shows: "" is the default
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => setDraft(saved.data ?? null), [saved.data]);

  if (!draft) return saved.error ? <Alert>{saved.error}</Alert> : <p className="text-sm text-slate-600">Loading…</p>;

  const policyShown = (shown && draft.retryPolicies.eventTypes[shown]) || draft.retryPolicies.default;
  const setPolicy = (eventType: string, policy: RetryPolicy) =>
    setDraft({
      ...draft,
      retryPolicies: eventType
        ? { ...draft.retryPolicies, eventTypes: { ...draft.retryPolicies.eventTypes, [eventType]: policy } }
        : { ...draft.retryPolicies, default: policy },
    });
  const removePolicy = (eventType: string) => {
    const { [eventType]: _, ...rest } = draft.retryPolicies.eventTypes;
    setDraft({ ...draft, retryPolicies: { ...draft.retryPolicies, eventTypes: rest } });
    if (shown === eventType) setShown("");
  };
  const setFallback = (eventType: string, text: string) =>
    setDraft({ ...draft, channelFallback: { ...draft.channelFallback, [eventType]: text.split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase() as Channel) } });
  const removeFallback = (eventType: string) => {
    const { [eventType]: _, ...rest } = draft.channelFallback;
    setDraft({ ...draft, channelFallback: rest });
  };

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setMessage(null);
    if (await saved.run(() => api("/api/admin/settings", { method: "PUT", body: JSON.stringify(draft) }))) {
      setMessage("Saved. Every node uses the new settings from its next request.");
    }
  }

  return (
    <form onSubmit={save} className="space-y-4">
      <h1 className="text-xl font-semibold">Settings</h1>
      {saved.error && <Alert>{saved.error}</Alert>}
      {message && (
        <p role="status" className="text-sm text-slate-700">
          {message}
        </p>
      )}
      <fieldset disabled={!canEdit} className="space-y-4">
        <Card title="Rate limits">
          <div className="grid grid-cols-1 gap-2 sm:grid-cols-3">
            {rateFields.map(({ key, label }) => (
              <div key={key}>
                <Label htmlFor={`rate-${key}`}>{label}</Label>
                <Input
                  id={`rate-${key}`}
                  type="number"
                  min={1}
                  required
                  value={draft.rateLimits[key]}
                  onChange={(event) => setDraft({ ...draft, rateLimits: { ...draft.rateLimits, [key]: Number(event.target.value) } })}
                />
              </div>
            ))}
          </div>
        </Card>
        <Card title="Retry policies">
          <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
            <div className="space-y-4">
              <div>
                <h3 className="mb-1 text-sm font-medium">Default</h3>
                <PolicyInputs id="policy-default" policy={draft.retryPolicies.default} onChange={(p) => setPolicy("", p)} />
              </div>
              {Object.entries(draft.retryPolicies.eventTypes).map(([eventType, policy]) => (
                <div key={eventType}>
                  <h3 className="mb-1 flex items-center gap-2 text-sm font-medium">
                    <span className="font-mono">{eventType}</span>
                    {canEdit && (
                      <Button type="button" variant="ghost" onClick={() => removePolicy(eventType)} aria-label={`Remove the policy of ${eventType}`}>
                        Remove
                      </Button>
                    )}
                  </h3>
                  <PolicyInputs id={`policy-${eventType}`} policy={policy} onChange={(p) => setPolicy(eventType, p)} />
                </div>
              ))}
              {canEdit && (
                <AddEventType
                  id="new-policy"
                  label="Event type with its own policy"
                  action="Add policy"
                  onAdd={(eventType) => {
                    setPolicy(eventType, { ...draft.retryPolicies.default });
                    setShown(eventType);
                  }}
                />
              )}
            </div>
            <div>
              <Label htmlFor="policy-shown">Backoff of</Label>
              <Select id="policy-shown" value={shown} onChange={(event) => setShown(event.target.value)} className="mb-2">
                <option value="">the default policy</option>
                {Object.keys(draft.retryPolicies.eventTypes).map((eventType) => (
                  <option key={eventType}>{eventType}</option>
                ))}
              </Select>
              <BackoffPreview policy={policyShown} />
            </div>
          </div>
        </Card>
        <Card title="Channel fallback">
          <p className="mb-2 text-sm text-slate-600">
            For an event type, the channels to try in turn when one fails for good (e.g. <span className="font-mono">PUSH, SMS, EMAIL</span>).
          </p>
          <div className="space-y-2">
            {Object.entries(draft.channelFallback).map(([eventType, order]) => (
              <div key={eventType} className="flex flex-wrap items-end gap-2">
                <div className="min-w-48 flex-1">
                  <Label htmlFor={`fallback-${eventType}`}>{eventType}</Label>
                  <Input id={`fallback-${eventType}`} defaultValue={order.join(", ")} onBlur={(event) => setFallback(eventType, event.target.value)} />
                </div>
                {canEdit && (
                  <Button type="button" variant="ghost" onClick={() => removeFallback(eventType)} aria-label={`Remove the fallback of ${eventType}`}>
                    Remove
                  </Button>
                )}
              </div>
            ))}
            {canEdit && (
              <AddEventType
                id="new-fallback"
                label="Event type with a fallback order"
                action="Add fallback order"
                onAdd={(eventType) => setDraft({ ...draft, channelFallback: { ...draft.channelFallback, [eventType]: [...channels] } })}
              />
            )}
          </div>
        </Card>
        <Card title="Channels">
          <fieldset>
            <legend className="mb-1 text-sm text-slate-600">A channel switched off is skipped for every notification of this tenant.</legend>
            <div className="flex flex-wrap gap-x-6 gap-y-1 text-sm">
              {channels.map((channel) => (
                <label key={channel} className="inline-flex items-center gap-1">
                  <input
                    type="checkbox"
                    checked={!draft.disabledChannels.includes(channel)}
                    onChange={(event) =>
                      setDraft({
                        ...draft,
                        disabledChannels: event.target.checked ? draft.disabledChannels.filter((c) => c !== channel) : [...draft.disabledChannels, channel],
                      })
                    }
                  />
                  {channel} on
                </label>
              ))}
            </div>
          </fieldset>
        </Card>
        <Card title="Retention">
          <Label htmlFor="retention-days">Keep notifications for (days)</Label>
          <Input
            id="retention-days"
            type="number"
            min={1}
            max={3650}
            placeholder="as long as the deployment keeps them"
            value={draft.retention.days ?? ""}
            onChange={(event) => setDraft({ ...draft, retention: { days: event.target.value === "" ? null : Number(event.target.value) } })}
            className="max-w-xs"
          />
          <p className="mt-1 text-sm text-slate-600">
            Older notifications are deleted with their events, attempts and deliveries; one not yet final is kept. Empty: the deployment&apos;s
            retention, which also caps a longer one.
          </p>
        </Card>
      </fieldset>
      {canEdit && <Button type="submit">Save settings</Button>}
    </form>
  );
}
