import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { Alert, Button, Card, Input, Label, Select } from "../components/ui";
import { api, may, type Channel } from "../lib/api";
import { useAuth } from "../lib/auth";
import { errorText } from "../lib/hooks";

type TemplateSummary = { name: string; channel: Channel; locale?: string | null; latestVersion: number; activeVersion?: number | null; updatedAt: string };
type TemplateVersion = {
  name: string;
  channel: Channel;
  locale?: string | null;
  version: number;
  subject?: string | null;
  body: string;
  html: boolean;
  active: boolean;
  createdBy: string;
  createdAt: string;
};
type Rendered = { subject?: string | null; body: string; version: number };

const channels: Channel[] = ["EMAIL", "SMS", "PUSH", "WEBHOOK"];

export function TemplatesPage() {
  const { caller } = useAuth();
  const navigate = useNavigate();
  const [templates, setTemplates] = useState<TemplateSummary[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<TemplateSummary[]>("/api/admin/templates").then(setTemplates, (failure) => setError(errorText(failure)));
  }, []);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name")).trim();
    try {
      await api("/api/admin/templates", {
        method: "POST",
        body: JSON.stringify({ name, channel: form.get("channel"), subject: form.get("subject") || null, body: form.get("body") }),
      });
      navigate(`/templates/${encodeURIComponent(name)}`);
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Templates</h1>
      {error && <Alert>{error}</Alert>}
      <Card title="Templates">
        {templates.length === 0 ? (
          <p className="text-sm text-slate-600">No templates yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100 text-sm">
            {templates.map((t) => (
              <li key={`${t.name}-${t.channel}-${t.locale ?? ""}`} className="flex flex-wrap gap-x-4 py-2">
                <Link className="font-medium text-indigo-700 underline" to={`/templates/${encodeURIComponent(t.name)}`}>
                  {t.name}
                </Link>
                <span>{t.channel}</span>
                <span>{t.locale ?? "default locale"}</span>
                <span>
                  latest v{t.latestVersion}, active {t.activeVersion ? `v${t.activeVersion}` : "none"}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      {may.edit(caller?.role) && (
        <Card title="New template">
          <form onSubmit={create} className="grid gap-3 sm:grid-cols-2">
            <div>
              <Label htmlFor="name">Name</Label>
              <Input id="name" name="name" required placeholder="welcome" />
            </div>
            <div>
              <Label htmlFor="channel">Channel</Label>
              <Select id="channel" name="channel" defaultValue="EMAIL">
                {channels.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </Select>
            </div>
            <div className="sm:col-span-2">
              <Label htmlFor="subject">Subject (email, push)</Label>
              <Input id="subject" name="subject" />
            </div>
            <div className="sm:col-span-2">
              <Label htmlFor="body">Body</Label>
              <textarea id="body" name="body" required rows={4} className="block w-full rounded-md border border-slate-300 p-2 font-mono text-sm" />
            </div>
            <Button type="submit">Create (not active yet)</Button>
          </form>
        </Card>
      )}
    </div>
  );
}

export function TemplatePage() {
  const { name = "" } = useParams();
  const { caller } = useAuth();
  const canEdit = may.edit(caller?.role);
  const [versions, setVersions] = useState<TemplateVersion[]>([]);
  const [selected, setSelected] = useState<number | null>(null); // the saved version the preview shows, or null: the editor's text
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [variables, setVariables] = useState("{}");
  const [preview, setPreview] = useState<Rendered | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const list = await api<TemplateVersion[]>(`/api/admin/templates/${encodeURIComponent(name)}`);
      setVersions(list);
      return list;
    } catch (failure) {
      setError(errorText(failure));
      return [];
    }
  }, [name]);

  useEffect(() => {
    void load().then((list) => {
      const latest = list.reduce<TemplateVersion | null>((a, v) => (a === null || v.version > a.version ? v : a), null);
      if (latest) {
        setSubject(latest.subject ?? "");
        setBody(latest.body);
      }
    });
  }, [load]);

  // The preview follows what is typed (the editor's text, or the saved version picked) and the
  // variables, rendered by the API as a send would render them.
  const base = versions.find((v) => v.version === selected) ?? versions.reduce<TemplateVersion | undefined>((a, v) => (a && a.version > v.version ? a : v), undefined);
  useEffect(() => {
    if (base === undefined) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(variables);
    } catch {
      setPreviewError("Variables must be a JSON object.");
      return;
    }
    const request =
      selected === null
        ? { path: "/api/admin/templates/render", body: { channel: base.channel, subject: subject || null, body, html: base.html, variables: parsed } }
        : { path: `/api/admin/templates/${encodeURIComponent(name)}/preview`, body: { version: selected, channel: base.channel, variables: parsed } };
    const timer = window.setTimeout(() => {
      api<Rendered>(request.path, { method: "POST", body: JSON.stringify(request.body) }).then(
        (rendered) => {
          setPreview(rendered);
          setPreviewError(null);
        },
        (failure) => setPreviewError(errorText(failure)),
      );
    }, 250);
    return () => window.clearTimeout(timer);
  }, [name, selected, variables, base, subject, body]);

  async function save() {
    const current = versions.find((v) => v.version === selected) ?? versions[0];
    if (current === undefined) return;
    try {
      const created = await api<{ version: number }>("/api/admin/templates", {
        method: "POST",
        body: JSON.stringify({ name, channel: current.channel, locale: current.locale, subject: subject || null, body }),
      });
      await load();
      setSelected(created.version);
      setError(null);
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  async function activate(version: TemplateVersion) {
    try {
      const params = new URLSearchParams({ channel: version.channel, ...(version.locale ? { locale: version.locale } : {}) });
      await api(`/api/admin/templates/${encodeURIComponent(name)}/versions/${version.version}/activate?${params}`, { method: "POST" });
      await load();
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  return (
    <div className="space-y-4">
      <p className="text-sm">
        <Link className="text-indigo-700 underline" to="/templates">
          Templates
        </Link>
      </p>
      <h1 className="text-xl font-semibold">{name}</h1>
      {error && <Alert>{error}</Alert>}
      <div className="grid gap-4 lg:grid-cols-2">
        <Card title="Editor">
          <div className="space-y-3">
            <div>
              <Label htmlFor="edit-subject">Subject</Label>
              <Input id="edit-subject" value={subject} onChange={(e) => setSubject(e.target.value)} readOnly={!canEdit} />
            </div>
            <div>
              <Label htmlFor="edit-body">Body</Label>
              <textarea
                id="edit-body"
                value={body}
                onChange={(e) => setBody(e.target.value)}
                readOnly={!canEdit}
                rows={8}
                className="block w-full rounded-md border border-slate-300 p-2 font-mono text-sm"
              />
            </div>
            {canEdit && <Button onClick={() => void save()}>Save as a new version</Button>}
          </div>
        </Card>
        <Card title="Preview">
          <div className="space-y-3">
            <div>
              <Label htmlFor="preview-version">Preview of</Label>
              <Select id="preview-version" value={selected ?? ""} onChange={(e) => setSelected(e.target.value === "" ? null : Number(e.target.value))}>
                <option value="">the editor's text, as you type</option>
                {versions.map((v) => (
                  <option key={`${v.channel}-${v.version}`} value={v.version}>
                    v{v.version}
                    {v.active ? " (active)" : ""}
                  </option>
                ))}
              </Select>
            </div>
            <div>
              <Label htmlFor="variables">Variables (JSON)</Label>
              <textarea
                id="variables"
                value={variables}
                onChange={(e) => setVariables(e.target.value)}
                rows={3}
                className="block w-full rounded-md border border-slate-300 p-2 font-mono text-sm"
              />
            </div>
            {previewError ? (
              <Alert>{previewError}</Alert>
            ) : (
              preview && (
                <div className="rounded border border-slate-200 bg-slate-50 p-3 text-sm" data-testid="preview">
                  {preview.subject && <p className="mb-2 font-semibold">{preview.subject}</p>}
                  <pre className="whitespace-pre-wrap">{preview.body}</pre>
                </div>
              )
            )}
          </div>
        </Card>
      </div>
      <Card title="Versions">
        <ul className="divide-y divide-slate-100 text-sm">
          {[...versions]
            .sort((a, b) => b.version - a.version)
            .map((v) => (
              <li key={`${v.channel}-${v.locale ?? ""}-${v.version}`} className="flex flex-wrap items-center gap-x-4 py-2" data-version={v.version}>
                <span className="font-medium">v{v.version}</span>
                <span>{v.channel}</span>
                {v.active && <span className="rounded bg-green-100 px-2 py-0.5 text-xs font-medium text-green-800">active</span>}
                <span className="text-slate-600">
                  by {v.createdBy}, {new Date(v.createdAt).toLocaleString()}
                </span>
                {canEdit && !v.active && (
                  <Button variant="ghost" onClick={() => void activate(v)}>
                    Activate
                  </Button>
                )}
              </li>
            ))}
        </ul>
      </Card>
    </div>
  );
}
