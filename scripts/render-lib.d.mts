// Types for render-lib.mjs (imported by the printing test).
export interface Word { x0: number; y0: number; x1: number; y1: number; text: string }
export interface Page { width: number; height: number; words: Word[] }
export interface Rendered { xlsx: string; pdf: string; pages: number; minPt: number; perPage: number[] }
export const BOX_PER_PT: number;
export function findWorkbooks(dir: string): string[];
export function pdfWords(pdf: string): Page[];
export function minPrintedPt(page: Page): number;
export function renderWorkbooks(from: string, to: string, opts?: { dpi?: number; soffice?: string; png?: boolean }): Promise<Rendered[]>;
