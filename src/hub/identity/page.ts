/**
 * Paging of the administration lists: 20 rows a page, as the real screens show (slides 24–25).
 * Lists of users and participants stay small (hundreds), so page numbers with OFFSET are enough;
 * the audit log, which grows without end, pages by cursor instead (audit.repository.ts).
 */
export const DEFAULT_PAGE_SIZE = 20;
/** A ceiling so that one request cannot ask for a whole table. */
export const MAX_PAGE_SIZE = 200;

export interface PageRequest {
  /** 1-based; default 1. */
  readonly page?: number;
  /** Default 20, at most 200. */
  readonly size?: number;
}

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  readonly page: number;
  readonly size: number;
}

export function pageBounds(request: PageRequest = {}): { page: number; size: number; limit: number; offset: number } {
  const size = clamp(request.size ?? DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const page = Math.max(1, Math.floor(request.page ?? 1) || 1);
  return { page, size, limit: size, offset: (page - 1) * size };
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(n) || min));
}
