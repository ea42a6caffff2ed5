import { useState } from "react";
import { Alert, Button, Card, TableHead } from "../components/ui";
import { api } from "../lib/api";
import { errorText, time, useResource } from "../lib/hooks";

// Single-node mode's tools (./run.sh): what was "sent" without a real provider. The node serves
// them under /dev; production nodes have neither, and the menu hides these pages there.

type MailSummary = { id: string; receivedAt: string; from: string; to: string[]; subject: string; preview: string; sizeBytes: number };
type MailDetail = MailSummary & { headers: { name: string; value: string }[]; text?: string | null; html?: string | null };
type SinkCall = { id: string; receivedAt: string; webhookId?: string | null; webhookSignature?: string | null; contentType?: string | null; body: string; truncated: boolean };

/** The body as indented JSON when it is JSON, as received otherwise. */
function pretty(body: string) {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export function MailboxPage() {
  const { data: mail = [], error, reload, setError } = useResource<MailSummary[]>("/dev/mailbox");
  const [open, setOpen] = useState<MailDetail | null>(null);

  async function show(id: string) {
    try {
      setOpen(await api<MailDetail>(`/dev/mailbox/${id}`));
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Mailbox</h1>
      <p className="text-sm text-slate-600">Single-node mode catches email here instead of sending it: the newest messages, kept in memory.</p>
      {error && <Alert>{error}</Alert>}
      <Card title="Messages">
        <Button variant="ghost" className="mb-2" onClick={() => void reload()}>
          Refresh
        </Button>
        <div className="overflow-x-auto" tabIndex={0}>
          <table className="w-full text-left text-sm">
            <TableHead columns={["Received", "To", "Subject", "From", "Size"]} />
            <tbody>
              {mail.map((m) => (
                <tr key={m.id} className="border-b border-slate-100 last:border-0" data-mail={m.subject}>
                  <td className="py-2 pr-4 whitespace-nowrap">{time(m.receivedAt)}</td>
                  <td className="py-2 pr-4">{m.to.join(", ")}</td>
                  <td className="py-2 pr-4">
                    <button type="button" className="text-left text-indigo-700 underline" onClick={() => void show(m.id)}>
                      {m.subject || "(no subject)"}
                    </button>
                  </td>
                  <td className="py-2 pr-4">{m.from}</td>
                  <td className="py-2 pr-4">{Math.ceil(m.sizeBytes / 1024)} KB</td>
                </tr>
              ))}
            </tbody>
          </table>
          {mail.length === 0 && <p className="py-2 text-sm text-slate-600">No mail yet.</p>}
        </div>
      </Card>
      {open && (
        <Card title={open.subject || "(no subject)"}>
          <p className="mb-2 text-sm text-slate-600">
            From {open.from} to {open.to.join(", ")}, {time(open.receivedAt)} ·{" "}
            <a className="text-indigo-700 underline" href={`/dev/mailbox/${open.id}.eml`} download>
              raw .eml
            </a>
          </p>
          <pre tabIndex={0} className="max-h-96 overflow-auto rounded bg-slate-50 p-3 text-sm whitespace-pre-wrap" data-testid="mail-text">
            {open.text ?? "(no text part)"}
          </pre>
          {open.html && (
            <details className="mt-2">
              <summary className="cursor-pointer text-sm text-indigo-700">HTML source</summary>
              <pre tabIndex={0} className="mt-1 max-h-96 overflow-auto rounded bg-slate-50 p-3 text-xs">{open.html}</pre>
            </details>
          )}
          <details className="mt-2">
            <summary className="cursor-pointer text-sm text-indigo-700">Headers</summary>
            <dl className="mt-1 grid grid-cols-1 gap-x-4 text-xs sm:grid-cols-4">
              {open.headers.map((h, i) => (
                <div key={i} className="contents">
                  <dt className="font-mono text-slate-600">{h.name}</dt>
                  <dd className="break-all sm:col-span-3">{h.value}</dd>
                </div>
              ))}
            </dl>
          </details>
        </Card>
      )}
    </div>
  );
}

export function WebhookSinkPage() {
  const { data: calls = [], error, reload } = useResource<SinkCall[]>("/dev/webhook-sink");
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Webhook sink</h1>
      <p className="text-sm text-slate-600">
        Webhooks sent to <span className="font-mono">{window.location.origin}/dev/webhook-sink</span> land here (the newest, in memory).
      </p>
      {error && <Alert>{error}</Alert>}
      <Button variant="ghost" onClick={() => void reload()}>
        Refresh
      </Button>
      {calls.length === 0 && <p className="text-sm text-slate-600">Nothing received yet.</p>}
      <ul className="space-y-3">
        {calls.map((call) => (
          <li key={call.id} data-sink-call={call.webhookId ?? ""}>
            <Card title={`${time(call.receivedAt)} · ${call.webhookId ?? "no webhook-id"}`}>
              {call.webhookSignature && <p className="mb-1 font-mono text-xs break-all text-slate-600">webhook-signature: {call.webhookSignature}</p>}
              <pre tabIndex={0} className="max-h-72 overflow-auto rounded bg-slate-50 p-3 text-xs">{pretty(call.body)}</pre>
              {call.truncated && <p className="text-xs text-slate-600">(cut at 64 KB)</p>}
            </Card>
          </li>
        ))}
      </ul>
    </div>
  );
}
