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
