//! Arrow in and out (compiled with the `python` feature): DataFrame columns are read in place as
//! typed cells (dates, numbers, booleans and text), checked by the same rules as a CSV file's
//! text; result tables become record batches.

use std::sync::Arc;

use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, LargeStringArray, RecordBatch, StringArray, StringViewArray,
};
use arrow_cast::cast;
use arrow_schema::{DataType, Field, Schema};
use chrono::NaiveDate;

use crate::read::{trim_cell, Cell, Record, RowStream};
use crate::report::Problem;
use crate::table::{ColumnData, Table, TextColumn};

/// One column, cast once to one of the few types read: dates (a datetime gives its date),
/// 64-bit integers, 64-bit floats (pandas makes a number column with blanks a float column),
/// booleans, text; anything else is cast to text column-wise by Arrow.
enum Column {
    Null,
    Bool(BooleanArray),
    Int(Int64Array),
    Float(Float64Array),
    Date(Date32Array),
    Text(StringArray),
    /// pandas' string columns (pyarrow-backed `str`) come as large strings; polars' as views.
    LargeText(LargeStringArray),
    TextView(StringViewArray),
}

impl Column {
    fn new(col: &ArrayRef) -> Result<Column, String> {
        let err = |e: arrow_schema::ArrowError| e.to_string();
        let down = |a: ArrayRef| -> Result<Column, String> {
            let any = a.as_any();
            if let Some(x) = any.downcast_ref::<BooleanArray>() {
                Ok(Column::Bool(x.clone()))
            } else if let Some(x) = any.downcast_ref::<Int64Array>() {
                Ok(Column::Int(x.clone()))
            } else if let Some(x) = any.downcast_ref::<Float64Array>() {
                Ok(Column::Float(x.clone()))
            } else if let Some(x) = any.downcast_ref::<Date32Array>() {
                Ok(Column::Date(x.clone()))
            } else if let Some(x) = any.downcast_ref::<StringArray>() {
                Ok(Column::Text(x.clone()))
            } else if let Some(x) = any.downcast_ref::<LargeStringArray>() {
                Ok(Column::LargeText(x.clone()))
            } else if let Some(x) = any.downcast_ref::<StringViewArray>() {
                Ok(Column::TextView(x.clone()))
            } else {
                Err(format!("unexpected column type {}", a.data_type()))
            }
        };
        match col.data_type() {
            DataType::Null => Ok(Column::Null),
            DataType::Boolean
            | DataType::Int64
            | DataType::Float64
            | DataType::Date32
            | DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View => down(col.clone()),
            DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 | DataType::UInt32 => {
                down(cast(col, &DataType::Int64).map_err(err)?)
            }
            DataType::Float16 | DataType::Float32 | DataType::Decimal128(..) | DataType::Decimal256(..) => {
                down(cast(col, &DataType::Float64).map_err(err)?)
            }
            DataType::Timestamp(..) | DataType::Date64 => down(cast(col, &DataType::Date32).map_err(err)?),
            _ => down(cast(col, &DataType::Utf8).map_err(err)?),
        }
    }

    /// Cells `rows` into `out`, as [`Column::cell`] gives them, in one loop for the column's type.
    fn cells<'s>(&'s self, rows: std::ops::Range<usize>, out: &mut Vec<Cell<'s>>) {
        match self {
            Column::Text(a) => text_cells(a, rows, out),
            Column::LargeText(a) => text_cells(a, rows, out),
            _ => out.extend(rows.map(|i| self.cell(i))),
        }
    }

    /// Cell `i`: null, NaN and dates out of range are blank; whole floats are integers.
    #[inline(always)]
    fn cell(&self, i: usize) -> Cell<'_> {
        const BLANK: Cell<'static> = Cell::Text("");
        match self {
            Column::Null => BLANK,
            Column::Bool(a) if a.is_valid(i) => Cell::Bool(a.value(i)),
            Column::Int(a) if a.is_valid(i) => Cell::Int(a.value(i)),
            Column::Float(a) if a.is_valid(i) && !a.value(i).is_nan() => {
                let v = a.value(i);
                if v.fract() == 0.0 && v.abs() < WHOLE_FLOAT_LIMIT {
                    Cell::Int(v as i64)
                } else {
                    Cell::Float(v)
                }
            }
            Column::Date(a) if a.is_valid(i) => {
                EPOCH.checked_add_signed(chrono::Duration::days(i64::from(a.value(i)))).map_or(BLANK, Cell::Date)
            }
            Column::Text(a) if a.is_valid(i) => Cell::Text(trim_cell(a.value(i))),
            Column::LargeText(a) if a.is_valid(i) => Cell::Text(trim_cell(a.value(i))),
            Column::TextView(a) if a.is_valid(i) => Cell::Text(trim_cell(a.value(i))),
            _ => BLANK,
        }
    }
}

/// Cells `rows` of a string column: the rows' text checked as UTF-8 once, then cut at the
/// offsets (each cell as [`Column::cell`] gives it).
fn text_cells<'s, O: arrow_array::OffsetSizeTrait>(
    a: &'s arrow_array::GenericStringArray<O>,
    rows: std::ops::Range<usize>,
    out: &mut Vec<Cell<'s>>,
) {
    const BLANK: Cell<'static> = Cell::Text("");
    let offsets = a.value_offsets();
    let at = |i: usize| offsets.get(i).map_or(0, |o| o.as_usize());
    let (lo, hi) = (at(rows.start), at(rows.end));
    let text = a.value_data().get(lo..hi).and_then(|b| std::str::from_utf8(b).ok());
    let nulls = a.nulls();
    for i in rows {
        out.push(if nulls.is_some_and(|n| n.is_null(i)) {
            BLANK
        } else {
            let own = text.and_then(|t| t.get(at(i) - lo..at(i + 1) - lo));
            Cell::Text(trim_cell(own.unwrap_or_else(|| a.value(i))))
        });
    }
}

/// Floats below this size are exact integers (2^53 is about 9.007e15).
const WHOLE_FLOAT_LIMIT: f64 = 9.0e15;

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// A DataFrame read as a stream of rows, read in place from its columns (prepared once per
/// batch). Row i (from 0) is "line" i + 2, as if the frame were written as CSV with its header
/// on line 1.
#[derive(Clone)]
pub struct ArrowRows {
    name: String,
    header: Vec<String>,
    batches: Arc<Vec<Vec<Column>>>,
    /// Where each batch starts in the frame, then the frame's length.
    starts: Arc<Vec<usize>>,
    /// The current row: its batch, its place in the batch, and its line.
    batch: usize,
    at: usize,
    line: u64,
    /// Rows still to give, and whether the first has been given.
    remaining: usize,
    started: bool,
    /// Whether the columnar checks may read it (`false`: the row checks only, for tests).
    columnar: bool,
}

impl ArrowRows {
    pub fn new(name: &str, schema: &Schema, batches: &[RecordBatch], columnar: bool) -> Result<ArrowRows, String> {
        let header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let mut prepared = Vec::with_capacity(batches.len());
        for b in batches {
            let cols = b
                .columns()
                .iter()
                .zip(schema.fields())
                .map(|(c, f)| Column::new(c).map_err(|e| format!("column {}: {e}", f.name())))
                .collect::<Result<Vec<_>, _>>()?;
            prepared.push(cols);
        }
        let starts: Vec<usize> = std::iter::once(0)
            .chain(batches.iter().scan(0, |s, b| {
                *s += b.num_rows();
                Some(*s)
            }))
            .collect();
        // Columns are read whole only where every batch has every column of the header.
        let columnar = columnar && prepared.iter().all(|cols| cols.len() == header.len());
        Ok(ArrowRows {
            name: name.to_string(),
            header,
            batches: Arc::new(prepared),
            remaining: starts.last().copied().unwrap_or(0),
            starts: Arc::new(starts),
            batch: 0,
            at: 0,
            line: 2,
            started: false,
            columnar,
        })
    }

    /// A stream of `count` rows from row `first` (from 0) of the frame.
    fn stretch(&self, first: usize, count: usize) -> ArrowRows {
        let (batch, at) = self.place(first);
        ArrowRows { batch, at, line: first as u64 + 2, remaining: count, started: false, ..self.clone() }
    }

    /// Row `r` (from 0) of the frame as its batch and its place in the batch (past the end:
    /// no batch), by binary search (a polars frame can come in many chunks).
    fn place(&self, r: usize) -> (usize, usize) {
        // The last batch starting at or before `r` (of empty batches at one start, the one
        // after them, which holds `r`).
        let batch = self.starts.partition_point(|s| *s <= r).saturating_sub(1);
        (batch, r - self.starts.get(batch).copied().unwrap_or(0))
    }

    /// How many rows batch `b` has (`None` past the last batch).
    fn batch_len(&self, b: usize) -> Option<usize> {
        Some(self.starts.get(b + 1)? - self.starts.get(b)?)
    }

    /// The next row this stream gives (from 0 in the frame).
    fn next_row(&self) -> usize {
        (self.line - 2) as usize + usize::from(self.started)
    }
}

impl Record for ArrowRows {
    // Inlined into each reading of a column, so that which type the column holds is a branch
    // predicted per column, not one jump table for every cell of every column.
    #[inline(always)]
    fn field(&self, i: usize) -> Option<Cell<'_>> {
        self.batches.get(self.batch)?.get(i).map(|c| c.cell(self.at))
    }
    fn width(&self) -> usize {
        self.header.len()
    }
}

impl RowStream for ArrowRows {
    type Rec = ArrowRows;
    fn file(&self) -> &str {
        &self.name
    }
    fn header(&self) -> &[String] {
        &self.header
    }
    fn row(&self) -> &ArrowRows {
        self
    }
    fn rows_left_hint(&self) -> usize {
        self.remaining
    }
    fn advance(&mut self, _problems: &mut Vec<Problem>) -> Option<u64> {
        if self.remaining == 0 {
            return None;
        }
        if self.started {
            self.at += 1;
            self.line += 1;
        }
        self.started = true;
        while self.at >= self.batch_len(self.batch)? {
            self.batch += 1;
            self.at = 0;
        }
        self.remaining -= 1;
        Some(self.line)
    }

    fn columnar_rows(&self) -> Option<std::ops::Range<usize>> {
        let first = self.next_row();
        self.columnar.then_some(first..first + self.remaining)
    }

    fn column_cells<'s>(&'s self, col: usize, rows: std::ops::Range<usize>, out: &mut Vec<Cell<'s>>) {
        out.clear();
        for (cols, span) in self.batches.iter().zip(self.starts.windows(2)) {
            let (start, end) = (span[0], span[1]);
            let (lo, hi) = (rows.start.max(start), rows.end.min(end));
            if let Some(c) = cols.get(col).filter(|_| lo < hi) {
                c.cells(lo - start..hi - start, out);
            }
        }
    }

    /// For the row checks on row `r` alone: a later `advance` would go on to the frame's end,
    /// past this stream's stretch (the columnar checks never advance after seeking).
    fn seek(&mut self, r: usize) -> Option<u64> {
        let total = self.starts.last().copied().unwrap_or(0);
        (self.batch, self.at) = self.place(r);
        (self.line, self.started, self.remaining) = (r as u64 + 2, true, total.checked_sub(r + 1)?);
        Some(self.line)
    }

    fn split(&self, n: usize) -> Option<Vec<ArrowRows>> {
        let first = self.next_row();
        let per = crate::par::stretch_len(self.remaining, n, crate::read::PARALLEL_MIN_ROWS);
        Some((0..self.remaining).step_by(per).map(|lo| self.stretch(first + lo, per.min(self.remaining - lo))).collect())
    }
}

/// Text column `col` of `owner`, and its bytes as an Arrow buffer without copying them (`None`
/// when that column is not text): the buffer keeps the table alive. The worklist's `reasons`
/// alone are over 100 MB at 1,000,000 children, and copying them was most of the time of
/// handing the table to pyarrow.
fn shared_text(owner: &Arc<Table>, col: usize) -> Option<(&TextColumn, arrow_buffer::Buffer)> {
    let Some(ColumnData::Text(t)) = owner.columns.get(col).map(|c| &c.data) else {
        return None;
    };
    let bytes = t.parts().0.as_bytes();
    let ptr = std::ptr::NonNull::new(bytes.as_ptr().cast_mut()).filter(|_| !bytes.is_empty());
    let Some(ptr) = ptr else {
        return Some((t, arrow_buffer::Buffer::from(bytes)));
    };
    // SAFETY: `from_custom_allocation` needs `ptr` valid for reads of `bytes.len()` bytes for as
    // long as the buffer (and every clone of it) lives, and the bytes not written meanwhile.
    // - Validity: `bytes` is the heap allocation of the `String` of a column of the table
    //   behind `owner` (looked up here, not passed in), initialised UTF-8 of that length.
    // - Lifetime: the buffer holds a clone of `owner` as its allocation, so the table, and with
    //   it the `String`, is dropped only after the last clone of the buffer is.
    // - No writes: the table is shared behind an `Arc` from its creation (`PyTable` holds only
    //   the `Arc`, and the pyclass is frozen); `Table` has no interior mutability; so nothing
    //   can take `&mut` to the `String` (which could move or free its bytes) while any clone of
    //   the `Arc` exists: `Arc::get_mut` fails and `Arc::make_mut` copies when it is shared.
    Some((t, unsafe { arrow_buffer::Buffer::from_custom_allocation(ptr, bytes.len(), owner.clone()) }))
}

/// Row ends as Arrow offsets of type `O` (a leading 0; `None` if an end does not fit).
fn offsets<O: arrow_array::OffsetSizeTrait>(ends: &[usize]) -> Option<arrow_buffer::OffsetBuffer<O>> {
    let v: Vec<O> = std::iter::once(Some(O::zero())).chain(ends.iter().map(|&e| O::from_usize(e))).collect::<Option<_>>()?;
    Some(arrow_buffer::OffsetBuffer::new(arrow_buffer::ScalarBuffer::from(v)))
}

/// Text column `col` of `owner` as an Arrow string array (32-bit offsets, or 64-bit past 2 GB
/// of text), its bytes shared with the table ([`shared_text`]); `None` if it cannot be.
fn text_array(owner: &Arc<Table>, col: usize) -> Option<(DataType, ArrayRef)> {
    let (t, values) = shared_text(owner, col)?;
    string_array(t.parts().1, values)
}

/// Text written whole now (a worklist's reasons, [`crate::table::ReasonsColumn`]) as an Arrow
/// string array that takes over its bytes (no copy).
fn owned_text_array(t: crate::table::TextColumn) -> Option<(DataType, ArrayRef)> {
    let (text, ends) = t.into_parts();
    string_array(&ends, arrow_buffer::Buffer::from_vec(text.into_bytes()))
}

/// An Arrow string array of `values` cut at `ends` (32-bit offsets, or 64-bit past 2 GB).
fn string_array(ends: &[usize], values: arrow_buffer::Buffer) -> Option<(DataType, ArrayRef)> {
    use arrow_array::types::GenericStringType;
    use arrow_array::GenericByteArray;
    if let Some(o) = offsets::<i32>(ends) {
        let a = GenericByteArray::<GenericStringType<i32>>::try_new(o, values, None).ok()?;
        return Some((DataType::Utf8, Arc::new(a)));
    }
    let a = GenericByteArray::<GenericStringType<i64>>::try_new(offsets::<i64>(ends)?, values, None).ok()?;
    Some((DataType::LargeUtf8, Arc::new(a)))
}

/// A result table as one record batch: text, 64-bit integers, 64-bit floats, dates (date32).
/// Text columns share their bytes with the table (no copy).
pub fn record_batch(t: &Arc<Table>) -> Result<RecordBatch, String> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for (i, c) in t.columns.iter().enumerate() {
        let (dt, a): (DataType, ArrayRef) = match &c.data {
            ColumnData::Str(v) => (DataType::Utf8, Arc::new(v.iter().map(Option::as_deref).collect::<StringArray>())),
            ColumnData::Text(text) => text_array(t, i)
                .unwrap_or_else(|| (DataType::Utf8, Arc::new((0..text.len()).map(|r| Some(text.get(r))).collect::<StringArray>()))),
            ColumnData::Reasons(r) => {
                owned_text_array(r.text()).ok_or_else(|| format!("the column {} is too large for an Arrow array", c.name))?
            }
            ColumnData::Int(v) => (DataType::Int64, Arc::new(v.iter().copied().collect::<Int64Array>())),
            ColumnData::Float(v) => (DataType::Float64, Arc::new(v.iter().copied().collect::<Float64Array>())),
            ColumnData::Date(v) => (
                DataType::Date32,
                Arc::new(Date32Array::from(v.iter().map(|d| d.map(|d| (d - epoch).num_days() as i32)).collect::<Vec<_>>())),
            ),
        };
        fields.push(Field::new(&c.name, dt, true));
        arrays.push(a);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stretches of a frame in several batches give every row once, in order, with its line.
    #[test]
    fn stretches_cover_every_row_once() {
        let batch = |ids: &[&str]| {
            let col: ArrayRef = Arc::new(StringArray::from(ids.to_vec()));
            RecordBatch::try_from_iter([("child_id", col)]).unwrap()
        };
        let ids: Vec<String> = (0..25_000).map(|i| format!("c{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let batches = [batch(&refs[..7]), batch(&refs[7..12_000]), batch(&refs[12_000..])];
        let rows = ArrowRows::new("t", &batches[0].schema(), &batches, true).unwrap();
        let read = |mut s: ArrowRows| {
            let mut out = Vec::new();
            while let Some(line) = s.advance(&mut Vec::new()) {
                out.push((line, s.field(0).unwrap().text().into_owned()));
            }
            out
        };
        let whole = read(rows.clone());
        assert_eq!(whole.len(), 25_000);
        assert_eq!(whole[12_000], (12_002, "c12000".to_string()));
        for n in [1, 2, 3, 7] {
            let parts = rows.split(n).unwrap();
            assert!(parts.len() <= n.max(1));
            let joined: Vec<_> = parts.into_iter().flat_map(read).collect();
            assert_eq!(joined, whole, "{n} stretches");
        }
    }
}
