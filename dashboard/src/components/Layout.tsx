import { NavLink, Outlet } from "react-router";
import { may } from "../lib/api";
import { useAuth } from "../lib/auth";
import { Button } from "./ui";

const pages = [
  { to: "/", label: "Overview" },
  { to: "/notifications", label: "Notifications" },
  { to: "/dead-letters", label: "Dead letters" },
  { to: "/templates", label: "Templates" },
  { to: "/recipients", label: "Recipients" },
  { to: "/settings", label: "Settings" },
  { to: "/providers", label: "Providers", adminOnly: true },
  { to: "/webhooks", label: "Status webhooks", adminOnly: true },
  { to: "/api-keys", label: "API keys", adminOnly: true },
  { to: "/users", label: "Users", adminOnly: true },
  { to: "/audit-log", label: "Audit log", adminOnly: true },
];

export function Layout() {
  const { caller, signOut } = useAuth();
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-4 px-4 py-3">
          <span className="text-lg font-semibold">Notifly</span>
          <nav aria-label="Main" className="flex flex-1 flex-wrap gap-1">
            {pages.filter((page) => !page.adminOnly || may.admin(caller?.role)).map((page) => (
              <NavLink
                key={page.to}
                to={page.to}
                end={page.to === "/"}
                className={({ isActive }) =>
                  `rounded-md px-3 py-1.5 text-sm ${isActive ? "bg-slate-100 font-medium text-slate-900" : "text-slate-600 hover:bg-slate-50"}`
                }
              >
                {page.label}
              </NavLink>
            ))}
          </nav>
          <span className="text-sm text-slate-600" data-testid="caller">
            {caller?.name} · {caller?.role}
          </span>
          <Button variant="ghost" onClick={() => void signOut()}>
            Sign out
          </Button>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">
        <Outlet />
      </main>
    </div>
  );
}
