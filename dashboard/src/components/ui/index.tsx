import { useState } from "react";
import type { ButtonHTMLAttributes, InputHTMLAttributes, LabelHTMLAttributes, ReactNode, SelectHTMLAttributes } from "react";

// A few primitives in the spirit of shadcn/ui: plain elements, Tailwind classes, no runtime.

const join = (...classes: (string | false | undefined)[]) => classes.filter(Boolean).join(" ");

export function Button({ className, variant = "primary", ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: "primary" | "ghost" }) {
  return (
    <button
      className={join(
        "inline-flex items-center justify-center rounded-md px-4 py-2 text-sm font-medium transition-colors",
        "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600 disabled:opacity-50",
        variant === "primary" ? "bg-indigo-700 text-white hover:bg-indigo-800" : "text-slate-700 hover:bg-slate-100",
        className,
      )}
      {...props}
    />
  );
}

export function Input({ className, ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return (
    <input
      className={join(
        "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm",
        "focus:border-indigo-600 focus:outline-2 focus:outline-indigo-600",
        className,
      )}
      {...props}
    />
  );
}

export function Label({ className, ...props }: LabelHTMLAttributes<HTMLLabelElement>) {
  return <label className={join("mb-1 block text-sm font-medium text-slate-700", className)} {...props} />;
}

export function Card({ title, children, className }: { title?: string; children: ReactNode; className?: string }) {
  return (
    <section className={join("min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm", className)} aria-label={title}>
      {title && <h2 className="mb-3 text-sm font-semibold text-slate-600">{title}</h2>}
      {children}
    </section>
  );
}

export function Alert({ children }: { children: ReactNode }) {
  return (
    <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {children}
    </p>
  );
}

const statusColours: Record<string, string> = {
  SENT: "bg-green-100 text-green-800",
  DELIVERED: "bg-green-100 text-green-800",
  FAILED: "bg-red-100 text-red-800",
  BOUNCED: "bg-red-100 text-red-800",
  EXPIRED: "bg-amber-100 text-amber-900",
  ABANDONED: "bg-red-100 text-red-800",
  RETRYING: "bg-amber-100 text-amber-900",
  PROCESSING: "bg-blue-100 text-blue-800",
  CANCELLED: "bg-slate-200 text-slate-800",
  SKIPPED: "bg-slate-200 text-slate-800",
};

/** A status in its colour; `like` borrows another status's colour (a webhook delivery's "succeeded" looks like SENT). */
export function StatusBadge({ status, like }: { status: string; like?: string }) {
  return (
    <span className={join("inline-block rounded px-2 py-0.5 text-xs font-medium", statusColours[like ?? status] ?? "bg-slate-100 text-slate-800")}>
      {status}
    </span>
  );
}

export function Select({ className, ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select
      className={join("block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:outline-2 focus:outline-indigo-600", className)}
      {...props}
    />
  );
}

/** A table's header row; a `{ hidden }` column is named for screen readers only (checkboxes, actions). */
export function TableHead({ columns }: { columns: (string | { hidden: string })[] }) {
  return (
    <thead>
      <tr className="border-b border-slate-200 text-slate-600">
        {columns.map((column, i) => (
          <th key={i} scope="col" className="py-2 pr-4 font-medium">
            {typeof column === "string" ? column : <span className="sr-only">{column.hidden}</span>}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** A secret (or one-time link) shown once: the value to copy, what to know about it, and Done. */
export function ShownOnce({ title, value, testId, children, onDone }: { title: string; value: string; testId: string; children?: ReactNode; onDone: () => void }) {
  return (
    <Card title={title}>
      <p className="mb-2 font-mono text-sm break-all" data-testid={testId}>
        {value}
      </p>
      {children}
      <Button variant="ghost" className="mt-2" onClick={onDone}>
        Done
      </Button>
    </Card>
  );
}

/** The button under a list whose API has another page; absent on the last one. */
export function LoadMore({ cursor, onLoad }: { cursor: string | null; onLoad: (cursor: string) => void }) {
  return cursor === null ? null : (
    <Button variant="ghost" className="mt-2" onClick={() => onLoad(cursor)}>
      Load more
    </Button>
  );
}

/** An event type's name and the button that adds a row for it. */
export function AddEventType({ id, label, action, placeholder = "order.paid", onAdd }: { id: string; label: string; action: string; placeholder?: string; onAdd: (eventType: string) => void }) {
  const [name, setName] = useState("");
  return (
    <div className="flex items-end gap-2">
      <div className="flex-1">
        <Label htmlFor={id}>{label}</Label>
        <Input id={id} value={name} onChange={(event) => setName(event.target.value)} placeholder={placeholder} />
      </div>
      <Button
        type="button"
        variant="ghost"
        onClick={() => {
          if (!name.trim()) return;
          onAdd(name.trim());
          setName("");
        }}
      >
        {action}
      </Button>
    </div>
  );
}
