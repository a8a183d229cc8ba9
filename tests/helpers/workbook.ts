import ExcelJS from 'exceljs';

export type Cell = string | number | boolean | null;

/** A sheet's rows as plain values (rich text and formulas flattened), row 1 first. */
export async function readSheets(file: string): Promise<{ wb: ExcelJS.Workbook; rows: (name: string) => Cell[][] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return {
    wb,
    rows: (name: string) => {
      const ws = wb.getWorksheet(name);
      if (!ws) throw new Error(`no sheet ${name} in ${file}: ${wb.worksheets.map((w) => w.name).join(', ')}`);
      const out: Cell[][] = [];
      ws.eachRow({ includeEmpty: true }, (row) => {
        const vals = Array.from((row.values as unknown[]).slice(1)).map((v) =>
          v && typeof v === 'object'
            ? 'result' in v
              ? (v as { result: Cell }).result
              : 'richText' in v
                ? (v as { richText: { text: string }[] }).richText.map((t) => t.text).join('')
                : String(v)
            : ((v as Cell) ?? null),
        );
        out[row.number - 1] = vals;
      });
      return out.map((r) => r ?? []);
    },
  };
}

/** The 概览 sheet's figures (指标 → 数值) and its tables, keyed by their first two headers. */
export function overviewTables(rows: Cell[][]): { figures: Map<string, Cell>; tables: Map<string, Cell[][]> } {
  const figures = new Map<string, Cell>();
  const tables = new Map<string, Cell[][]>();
  let current: Cell[][] | null = null;
  let inFigures = false;
  for (const r of rows) {
    const values = r.filter((v) => v !== null && v !== undefined && v !== '');
    // a note under a table spans it (merged cells read back as the same text in each)
    const filled = new Set(values).size === 1 && typeof values[0] === 'string' ? 1 : values.length;
    if (r[0] === '指标' && r[1] === '数值') {
      inFigures = true;
      continue;
    }
    if (filled === 0 || (filled === 1 && current)) {
      inFigures = false;
      current = null;
      continue;
    }
    if (inFigures) {
      figures.set(String(r[0]), r[1] ?? null);
      continue;
    }
    if (!current && filled >= 2 && typeof r[1] === 'string') {
      tables.set(`${r[0]}|${r[1]}`, (current = []));
      continue;
    }
    current?.push(r);
  }
  return { figures, tables };
}
