// Where an incremental poll of the PA stands (PA-API.md §2: `updatedAfter` is strict, results come
// by ascending `updatedAt`, no offset). Paging by the last `updatedAt` alone skips a flow that shares
// that instant with the last one of a full page. So the cursor is (instant, ids seen at that
// instant): the next page asks from 1 ms before the instant and skips the ids already handled.
// Stored as text: the ISO instant, then a space and the comma-separated ids (a bare instant, the
// older form, still reads). More ties than one page holds cannot be paged through by this API: then
// the poll moves strictly past the instant (a PA that sorts ties arbitrarily leaves no better way).

export interface PollCursor {
  at: string;
  ids: string[];
}

export function readCursor(text: string | null | undefined): PollCursor | null {
  if (!text) return null;
  const [at = "", ids = ""] = text.split(" ");
  return { at, ids: ids ? ids.split(",") : [] };
}

export function writeCursor(c: PollCursor): string {
  return c.ids.length ? `${c.at} ${c.ids.join(",")}` : c.at;
}

/** The `updatedAfter` of the next search: just before the instant, unless a whole page is tied on it. */
export function updatedAfterOf(c: PollCursor | null, pageSize: number): string | undefined {
  if (!c) return undefined;
  const t = Date.parse(c.at);
  return c.ids.length >= pageSize || Number.isNaN(t) ? c.at : new Date(t - 1).toISOString();
}

/** True when the flow was handled by an earlier page (tied with the cursor's instant). */
export function alreadySeen(c: PollCursor | null, flow: { flowId: string; updatedAt: string }): boolean {
  return c !== null && flow.updatedAt === c.at && c.ids.includes(flow.flowId);
}

/** The cursor after handling `flow`. */
export function advance(c: PollCursor | null, flow: { flowId: string; updatedAt: string }): PollCursor {
  return c && c.at === flow.updatedAt ? { at: c.at, ids: [...c.ids, flow.flowId] } : { at: flow.updatedAt, ids: [flow.flowId] };
}
