import { useState, type FormEvent } from "react";
import { Alert, Button, Card, Input, Label, Select, ShownOnce, TableHead } from "../components/ui";
import { api } from "../lib/api";
import { useAuth } from "../lib/auth";
import { time, useResource } from "../lib/hooks";

type UserRole = "ADMIN" | "EDITOR" | "VIEWER";
type AdminUser = { id: string; tenantId: string; email: string; role: UserRole; active: boolean; invited: boolean; createdAt: string; lastLoginAt?: string | null };
type Invitation = { user: AdminUser; setPasswordPath: string; expiresAt: string };

const roles: { role: UserRole; says: string }[] = [
  { role: "VIEWER", says: "reads everything, changes nothing" },
  { role: "EDITOR", says: "also sends, edits templates, retries dead letters" },
  { role: "ADMIN", says: "everything, keys and users included" },
];

/** The link an invited user opens: the API's path names the tenant, so the sign-in after it needs no typing. */
const inviteLink = (invitation: Invitation) => `${window.location.origin}${invitation.setPasswordPath}`;

export function UsersPage() {
  const { caller } = useAuth();
  const { data: users = [], error, run } = useResource<AdminUser[]>("/api/admin/users");
  const [invitation, setInvitation] = useState<Invitation | null>(null);

  async function invite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const done = await run(async () => {
      setInvitation(
        await api<Invitation>("/api/admin/users", { method: "POST", body: JSON.stringify({ email: data.get("email"), role: data.get("role") }) }),
      );
    });
    if (done) form.reset();
  }

  const update = (user: AdminUser, change: { role?: UserRole; active?: boolean }) =>
    run(() => api(`/api/admin/users/${user.id}`, { method: "PATCH", body: JSON.stringify(change) }));

  const reinvite = (user: AdminUser) =>
    run(async () => setInvitation(await api<Invitation>(`/api/admin/users/${user.id}/invitation`, { method: "POST", body: "{}" })));

  const remove = (user: AdminUser) =>
    window.confirm(`Delete ${user.email}? Their sessions end now; the audit log keeps what they did.`) &&
    run(() => api(`/api/admin/users/${user.id}`, { method: "DELETE" }));

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Users and roles</h1>
      {error && <Alert>{error}</Alert>}
      {invitation && (
        <ShownOnce
          title={`Invitation for ${invitation.user.email}: send them this link, it is not shown again`}
          value={inviteLink(invitation)}
          testId="invitation-link"
          onDone={() => setInvitation(null)}
        >
          <p className="text-xs text-slate-600">It works once, until {time(invitation.expiresAt)}.</p>
        </ShownOnce>
      )}
      <Card title="Invite a user">
        <form onSubmit={invite} className="grid grid-cols-1 items-end gap-2 sm:grid-cols-3">
          <div>
            <Label htmlFor="invite-email">Email</Label>
            <Input id="invite-email" name="email" type="email" required maxLength={320} placeholder="ada@example.com" />
          </div>
          <div>
            <Label htmlFor="invite-role">Role</Label>
            <Select id="invite-role" name="role" defaultValue="VIEWER">
              {roles.map(({ role, says }) => (
                <option key={role} value={role}>
                  {role}: {says}
                </option>
              ))}
            </Select>
          </div>
          <Button type="submit">Invite</Button>
        </form>
      </Card>
      <Card title="Users">
        <div className="overflow-x-auto" tabIndex={0}>
          <table className="w-full text-left text-sm">
            <TableHead columns={["Email", "Role", "Status", "Last sign-in", "Since", { hidden: "Actions" }]} />
            <tbody>
              {users.map((user) => {
                const self = caller?.kind === "user" && caller.id === user.id;
                return (
                  <tr key={user.id} className="border-b border-slate-100 last:border-0" data-user={user.email}>
                    <td className="py-2 pr-4">{user.email}</td>
                    <td className="py-2 pr-4">
                      {self ? (
                        user.role
                      ) : (
                        <Select
                          aria-label={`Role of ${user.email}`}
                          value={user.role}
                          onChange={(e) => void update(user, { role: e.target.value as UserRole })}
                          className="w-32"
                        >
                          {roles.map(({ role }) => (
                            <option key={role}>{role}</option>
                          ))}
                        </Select>
                      )}
                    </td>
                    <td className="py-2 pr-4" data-testid="user-status">
                      {!user.active ? "deactivated" : user.invited ? "invited" : "active"}
                    </td>
                    <td className="py-2 pr-4 whitespace-nowrap">{time(user.lastLoginAt)}</td>
                    <td className="py-2 pr-4 whitespace-nowrap">{time(user.createdAt)}</td>
                    <td className="py-2 pr-4 whitespace-nowrap">
                      {!self && (
                        <>
                          <Button variant="ghost" onClick={() => void update(user, { active: !user.active })}>
                            {user.active ? "Deactivate" : "Activate"}
                          </Button>
                          {user.invited && user.active && (
                            <Button variant="ghost" onClick={() => void reinvite(user)}>
                              New link
                            </Button>
                          )}
                          <Button variant="ghost" onClick={() => void remove(user)}>
                            Delete
                          </Button>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Card>
    </div>
  );
}
