import { lazy, Suspense, type ReactNode } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router";
import { Layout } from "./components/Layout";
import { may } from "./lib/api";
import { useAuth } from "./lib/auth";
import { LoginPage } from "./pages/Login";

// pages load on first visit, so the login page does not wait for the chart library
const OverviewPage = lazy(() => import("./pages/Overview").then((m) => ({ default: m.OverviewPage })));
const NotificationsPage = lazy(() => import("./pages/Notifications").then((m) => ({ default: m.NotificationsPage })));
const NotificationDetailPage = lazy(() => import("./pages/NotificationDetail").then((m) => ({ default: m.NotificationDetailPage })));
const TemplatesPage = lazy(() => import("./pages/Templates").then((m) => ({ default: m.TemplatesPage })));
const TemplatePage = lazy(() => import("./pages/Templates").then((m) => ({ default: m.TemplatePage })));
const ApiKeysPage = lazy(() => import("./pages/ApiKeys").then((m) => ({ default: m.ApiKeysPage })));
const DeadLettersPage = lazy(() => import("./pages/DeadLetters").then((m) => ({ default: m.DeadLettersPage })));
const UsersPage = lazy(() => import("./pages/Users").then((m) => ({ default: m.UsersPage })));
const AuditLogPage = lazy(() => import("./pages/AuditLog").then((m) => ({ default: m.AuditLogPage })));
const WebhooksPage = lazy(() => import("./pages/Webhooks").then((m) => ({ default: m.WebhooksPage })));
const WebhookPage = lazy(() => import("./pages/Webhooks").then((m) => ({ default: m.WebhookPage })));
const SettingsPage = lazy(() => import("./pages/Settings").then((m) => ({ default: m.SettingsPage })));
const ProvidersPage = lazy(() => import("./pages/Providers").then((m) => ({ default: m.ProvidersPage })));
const RecipientsPage = lazy(() => import("./pages/Recipients").then((m) => ({ default: m.RecipientsPage })));
const RecipientPage = lazy(() => import("./pages/Recipients").then((m) => ({ default: m.RecipientPage })));
const MailboxPage = lazy(() => import("./pages/DevTools").then((m) => ({ default: m.MailboxPage })));
const WebhookSinkPage = lazy(() => import("./pages/DevTools").then((m) => ({ default: m.WebhookSinkPage })));
const TenantsPage = lazy(() => import("./pages/Tenants").then((m) => ({ default: m.TenantsPage })));
const SetPasswordPage = lazy(() => import("./pages/SetPassword").then((m) => ({ default: m.SetPasswordPage })));

function SignedIn({ children }: { children: ReactNode }) {
  const { caller, ready } = useAuth();
  const location = useLocation();
  if (!ready) return <p className="p-6 text-sm text-slate-600">Loading…</p>;
  if (caller === null) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return <Suspense fallback={<p className="p-6 text-sm text-slate-600">Loading…</p>}>{children}</Suspense>;
}

/** A page for ADMINs only; the API refuses everyone else anyway. */
function AdminOnly({ children }: { children: ReactNode }) {
  const { caller } = useAuth();
  return may.admin(caller?.role) ? children : <p className="text-sm text-slate-600">Only an ADMIN may see this page.</p>;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/set-password" element={<Suspense><SetPasswordPage /></Suspense>} />
      <Route
        element={
          <SignedIn>
            <Layout />
          </SignedIn>
        }
      >
        <Route index element={<OverviewPage />} />
        <Route path="tenants" element={<TenantsPage />} />
        <Route path="notifications" element={<NotificationsPage />} />
        <Route path="notifications/:requestId" element={<NotificationDetailPage />} />
        <Route path="dead-letters" element={<DeadLettersPage />} />
        <Route path="templates" element={<TemplatesPage />} />
        <Route path="templates/:name" element={<TemplatePage />} />
        <Route path="api-keys" element={<AdminOnly><ApiKeysPage /></AdminOnly>} />
        <Route path="recipients" element={<RecipientsPage />} />
        <Route path="recipients/:userId" element={<RecipientPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="providers" element={<AdminOnly><ProvidersPage /></AdminOnly>} />
        <Route path="webhooks" element={<AdminOnly><WebhooksPage /></AdminOnly>} />
        <Route path="webhooks/:id" element={<AdminOnly><WebhookPage /></AdminOnly>} />
        <Route path="users" element={<AdminOnly><UsersPage /></AdminOnly>} />
        <Route path="audit-log" element={<AdminOnly><AuditLogPage /></AdminOnly>} />
        <Route path="tools/mailbox" element={<MailboxPage />} />
        <Route path="tools/webhook-sink" element={<WebhookSinkPage />} />
        <Route path="*" element={<p className="text-sm text-slate-600">No such page.</p>} />
      </Route>
    </Routes>
  );
}
