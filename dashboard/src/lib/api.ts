// The dashboard's one way to the API. The access token lives in this module's memory only; a
// signed-in user's refresh token is an HttpOnly cookie the browser sends to /api/auth, which no
// script can read. Any 401 ends the session (seed 000: auto-logout on 401).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export type Credential = { kind: "user"; accessToken: string; expiresAt: string } | { kind: "key"; apiKey: string };

let credential: Credential | null = null;
let onUnauthorized: () => void = () => {};

export function setCredential(next: Credential | null) {
  credential = next;
}

export function whenUnauthorized(handler: () => void) {
  onUnauthorized = handler;
}

function authorization(): Record<string, string> {
  if (credential === null) return {};
  return { Authorization: `Bearer ${credential.kind === "user" ? credential.accessToken : credential.apiKey}` };
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, {
    ...init,
    credentials: "same-origin",
    headers: {
      Accept: "application/json",
      ...(init.body ? { "Content-Type": "application/json" } : {}),
      ...authorization(),
      ...init.headers,
    },
  });
  if (response.status === 401 && !path.startsWith("/api/auth/")) {
    onUnauthorized();
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new ApiError(response.status, problem.code, problem.detail ?? problem.title ?? response.statusText);
  }
  return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
}

/** A tenant's roles, and OPERATOR: the deployment's operator, who manages tenants and sees no tenant's data. */
export type Role = "ADMIN" | "EDITOR" | "VIEWER" | "SERVICE" | "OPERATOR";

export type Caller = { kind: "user" | "api_key" | "operator"; id: string; tenantId: string; name: string; role: Role };

export type TokenResponse = { accessToken: string; expiresAt: string };

export type Channel = "EMAIL" | "SMS" | "PUSH" | "WEBHOOK";

export type DashboardMetrics = {
  window: string;
  from: string;
  to: string;
  bucketSize: string;
  totals: {
    notifications: number;
    sent: number;
    failed: number;
    inProgress: number;
    successRate: number | null;
    attempts: number;
    failedAttempts: number;
    averageLatencyMs: number | null;
    p95LatencyMs: number | null;
  };
  byStatus: Record<string, number>;
  byChannel: {
    channel: Channel;
    attempts: number;
    sent: number;
    failed: number;
    abandoned: number;
    successRate: number | null;
    averageLatencyMs: number | null;
    p95LatencyMs: number | null;
  }[];
  buckets: {
    start: string;
    notifications: number;
    sent: number;
    failed: number;
    attempts: number;
    failedAttempts: number;
    averageLatencyMs: number | null;
    p95LatencyMs: number | null;
  }[];
  failureSummary: { from: string; entries: { channel: Channel; errorCode: string | null; deadLetters: number; failedAttempts: number }[] };
};

export type Page<T> = { items: T[]; nextCursor: string | null };

export type NotificationStatus =
  | "ACCEPTED" | "SCHEDULED" | "PROCESSING" | "RETRYING" | "SENT" | "DELIVERED" | "FAILED" | "CANCELLED" | "SKIPPED" | "BOUNCED" | "EXPIRED";

export type NotificationView = {
  id: string;
  requestId: string;
  correlationId: string;
  eventType: string;
  status: NotificationStatus;
  priority: string;
  channels: Channel[];
  userId: string | null;
  idempotencyKey: string | null;
  sendAt: string | null;
  expiresAt?: string | null;
  createdAt: string;
  updatedAt: string;
};

export type NotificationDetails = {
  notification: NotificationView;
  content: {
    recipient: Record<string, string | null>;
    subject: string | null;
    body: string | null;
    bodyIsHtml: boolean;
    payload: unknown;
    template: { name: string; version: number; locale?: string } | null;
  };
  deliveries: {
    channel: Channel;
    status: string;
    attempts: number;
    nextAttemptAt: string | null;
    lastErrorCode: string | null;
    lastError: string | null;
    sentAt: string | null;
  }[];
  logs: {
    channel: Channel;
    attempt: number;
    status: string;
    latencyMs: number | null;
    errorCode: string | null;
    errorMessage: string | null;
    createdAt: string;
    provider: string | null;
    providerMessageId?: string | null;
  }[];
};

export type NotificationEvent = { id: number; event: string; details: Record<string, unknown> | null; createdAt: string };

export type DeadLetter = {
  id: string;
  requestId: string;
  channel: Channel;
  errorCode: string;
  errorMessage: string | null;
  attempts: number;
  manualRetryCount: number;
  eventType: string;
  createdAt: string;
};

/** What a role may do (the API's policies, README's "Who may call what"); the API refuses the rest anyway. */
export const may = {
  send: (role: Role | undefined) => role === "ADMIN" || role === "EDITOR" || role === "SERVICE",
  edit: (role: Role | undefined) => role === "ADMIN" || role === "EDITOR",
  admin: (role: Role | undefined) => role === "ADMIN",
};

/** Downloads what the API answers for `path` with the caller's credential (a plain link could not carry it). */
export async function download(path: string, accept: string, fileName: string) {
  const response = await fetch(path, { headers: { Accept: accept, ...authorization() } });
  if (!response.ok) throw new ApiError(response.status, undefined, response.statusText);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  link.click();
  URL.revokeObjectURL(url);
}

/**
 * Follows GET /api/admin/stream (server-sent events) with the caller's credential, which
 * EventSource cannot send; reconnects after a pause when the connection drops. Returns the stop.
 */
export function followStatus(onStatus: (change: { requestId: string; status: NotificationStatus }) => void, onReload: () => void) {
  const abort = new AbortController();
  void (async () => {
    while (!abort.signal.aborted) {
      try {
        const response = await fetch("/api/admin/stream", { headers: { Accept: "text/event-stream", ...authorization() }, signal: abort.signal });
        if (response.status === 401) return onUnauthorized();
        if (!response.ok || response.body === null) throw new Error(`stream: ${response.status}`);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event === "status" && data) onStatus(JSON.parse(data));
            else if (event === "reload") onReload();
            else if (event === "end") return;
          }
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    }
  })();
  return () => abort.abort();
}

export type ApiKey = {
  id: string;
  name: string;
  prefix: string;
  role: "ADMIN" | "SERVICE";
  createdAt: string;
  revokedAt?: string | null; // the API leaves nulls out
  lastUsedAt?: string | null;
};
