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

export type Role = "ADMIN" | "EDITOR" | "VIEWER" | "SERVICE";

export type Caller = { kind: "user" | "apiKey"; id: string; tenantId: string; name: string; role: Role };

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
