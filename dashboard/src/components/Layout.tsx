import { useEffect, useState } from "react";
import { Navigate, NavLink, Outlet, useLocation } from "react-router";
import { api, may } from "../lib/api";
import { useAuth } from "../lib/auth";
import { Button } from "./ui";

type PageLink = { to: string; label: string; adminOnly?: boolean; devTools?: boolean };


const sections: { name: string; pages: PageLink[] }[] = [
  {
    name: "Activity",
    pages: [
      { to: "/", label: "Overview" },
      { to: "/notifications", label: "Notifications" },
      { to: "/dead-letters", label: "Dead letters" },
    ],
  },
  {
    name: "Content",
    pages: [
      { to: "/templates", label: "Templates" },
      { to: "/recipients", label: "Recipients" },
    ],
  },
  {
    name: "Configuration",
    pages: [
      { to: "/settings", label: "Settings" },
      { to: "/providers", label: "Providers", adminOnly: true },
      { to: "/webhooks", label: "Status webhooks", adminOnly: true },
      { to: "/api-keys", label: "API keys", adminOnly: true },
      { to: "/users", label: "Users", adminOnly: true },
      { to: "/audit-log", label: "Audit log", adminOnly: true },
    ],
  },
  {
    name: "Tools",
    pages: [
      { to: "/tools/mailbox", label: "Mailbox", devTools: true },
      { to: "/tools/webhook-sink", label: "Webhook sink", devTools: true },
    ],
  },
];

/** What an operator sees instead of a tenant's pages. */
const operatorSections: typeof sections = [{ name: "Operators", pages: [{ to: "/tenants", label: "Tenants" }] }];

/** The signed-in frame: a sidebar on wide screens, a menu button on narrow ones, and a skip link for keyboards. */
export function Layout() {
  const { caller, signOut } = useAuth();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  const [devTools, setDevTools] = useState(false); // single-node mode's mailbox and webhook sink
  useEffect(() => {
    api<{ devTools: boolean }>("/api/dashboard").then((config) => setDevTools(config.devTools), () => setDevTools(false));
  }, []);
  const [menuAt, setMenuAt] = useState(location.pathname);
  if (menuAt !== location.pathname) {
    // a page chosen from the menu closes it
    setMenuAt(location.pathname);
    setMenuOpen(false);
  }

  if (caller?.role === "OPERATOR" && location.pathname !== "/tenants") {
    return <Navigate to="/tenants" replace />; // an operator has no tenant's pages
  }

  return (
    <div className="min-h-screen lg:flex">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-10 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow">
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white lg:sticky lg:top-0 lg:h-screen lg:w-56 lg:shrink-0 lg:overflow-y-auto lg:border-r lg:border-b-0">
        <div className="flex items-center gap-2 px-4 py-3">
          <span className="flex-1 text-lg font-semibold">Notifly</span>
          <Button variant="ghost" className="lg:hidden" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen(!menuOpen)}>
            Menu
          </Button>
        </div>
        <nav id="main-nav" aria-label="Main" className={`${menuOpen ? "block" : "hidden"} px-2 pb-3 lg:block`}>
          {(caller?.role === "OPERATOR" ? operatorSections : sections).map((section) => {
            const pages = section.pages.filter((page) => (!page.adminOnly || may.admin(caller?.role)) && (!page.devTools || devTools));
            if (pages.length === 0) return null;
            return (
              <div key={section.name} className="mb-3">
                <p className="px-3 pb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">{section.name}</p>
                <ul>
                  {pages.map((page) => (
                    <li key={page.to}>
                      <NavLink
                        to={page.to}
                        end={page.to === "/"}
                        className={({ isActive }) =>
                          `block rounded-md px-3 py-1.5 text-sm ${isActive ? "bg-slate-100 font-medium text-slate-900" : "text-slate-600 hover:bg-slate-50"}`
                        }
                      >
                        {page.label}
                      </NavLink>
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
          <div className="border-t border-slate-200 px-3 pt-3">
            <p className="text-sm break-words text-slate-600" data-testid="caller">
              {caller?.name} · {caller?.role}
            </p>
            <Button variant="ghost" className="mt-1 -ml-4" onClick={() => void signOut()}>
              Sign out
            </Button>
          </div>
        </nav>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto w-full max-w-7xl min-w-0 px-4 py-6">
        <Outlet />
      </main>
    </div>
  );
}
