//! Arrow in and out (compiled with the `python` feature): DataFrames become the same raw text
//! cells as a CSV file, so one set of checks serves both; result tables become record batches.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_cast::cast;
use arrow_schema::{DataType, Field, Schema};
use chrono::NaiveDate;

use std::io::Write as _;

use chrono::Datelike as _;

use crate::read::{Row, RowStream};
use crate::report::Problem;
use crate::table::{ColumnData, Table};

/// One column, prepared once so that each cell can be written as text without allocating:
/// dates as YYYY-MM-DD (a datetime gives its date), booleans as 1/0, whole floats without a
/// decimal point (pandas makes a number column with blanks a float column), NaN and nulls
/// blank, anything else cast to text column-wise by Arrow.
enum Cells {
    Null,
    Bool(BooleanArray),
    Float(Float64Array),
    Date(Date32Array),
    Text(StringArray),
}

impl Cells {
    fn new(col: &ArrayRef) -> Result<Cells, String> {
        let err = |e: arrow_schema::ArrowError| e.to_string();
        let down = |a: ArrayRef| -> Result<Cells, String> {
            let any = a.as_any();
            if let Some(x) = any.downcast_ref::<BooleanArray>() {
                Ok(Cells::Bool(x.clone()))
            } else if let Some(x) = any.downcast_ref::<Float64Array>() {
                Ok(Cells::Float(x.clone()))
            } else if let Some(x) = any.downcast_ref::<Date32Array>() {
                Ok(Cells::Date(x.clone()))
            } else if let Some(x) = any.downcast_ref::<StringArray>() {
                Ok(Cells::Text(x.clone()))
            } else {
                Err(format!("unexpected column type {}", a.data_type()))
            }
        };
        match col.data_type() {
            DataType::Null => Ok(Cells::Null),
            DataType::Boolean | DataType::Date32 | DataType::Utf8 => down(col.clone()),
            DataType::Float16 | DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) | DataType::Decimal256(..) => {
                down(cast(col, &DataType::Float64).map_err(err)?)
            }
            DataType::Timestamp(..) | DataType::Date64 => down(cast(col, &DataType::Date32).map_err(err)?),
            _ => down(cast(col, &DataType::Utf8).map_err(err)?),
        }
    }

    /// Append cell `i` to `row` as one field; `buf` is scratch space.
    fn push(&self, i: usize, row: &mut Row, buf: &mut Vec<u8>) {
        buf.clear();
        match self {
            Cells::Null => {}
            Cells::Bool(a) if a.is_valid(i) => buf.push(if a.value(i) { b'1' } else { b'0' }),
            Cells::Float(a) if a.is_valid(i) && !a.value(i).is_nan() => {
                let v = a.value(i);
                // Whole values print as integers (a count column with blanks comes as floats).
                let _ = if v.fract() == 0.0 && v.abs() < WHOLE_FLOAT_LIMIT { write!(buf, "{}", v as i64) } else { write!(buf, "{v}") };
            }
            Cells::Date(a) if a.is_valid(i) => {
                if let Some(d) = EPOCH.checked_add_signed(chrono::Duration::days(i64::from(a.value(i)))) {
                    write_date(d, buf);
                }
            }
            Cells::Text(a) if a.is_valid(i) => buf.extend_from_slice(a.value(i).trim().as_bytes()),
            _ => {}
        }
        row.push_field(buf);
    }
}

/// Floats below this size are exact integers (2^53 is about 9.007e15).
const WHOLE_FLOAT_LIMIT: f64 = 9.0e15;

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// YYYY-MM-DD without the formatting machinery (years outside 0-9999 fall back to it).
fn write_date(d: NaiveDate, buf: &mut Vec<u8>) {
    let (y, m, day) = (d.year(), d.month(), d.day());
    if (0..=9999).contains(&y) {
        let y = y as u32;
        let digits = [y / 1000, y / 100 % 10, y / 10 % 10, y % 10, m / 10, m % 10, day / 10, day % 10].map(|x| b'0' + x as u8);
        buf.extend_from_slice(&digits[..4]);
        buf.push(b'-');
        buf.extend_from_slice(&digits[4..6]);
        buf.push(b'-');
        buf.extend_from_slice(&digits[6..]);
    } else {
        let _ = write!(buf, "{d}");
    }
}

/// A DataFrame read as a stream of rows, column arrays prepared once per batch. Row i (from 0)
/// is "line" i + 2, as if the frame were written as CSV with its header on line 1.
pub struct ArrowRows {
    name: String,
    header: Vec<String>,
    batches: Vec<Vec<Cells>>,
    lens: Vec<usize>,
    batch: usize,
    next: usize,
    line: u64,
    buf: Vec<u8>,
}

impl ArrowRows {
    pub fn new(name: &str, schema: &Schema, batches: &[RecordBatch]) -> Result<ArrowRows, String> {
        let header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let mut prepared = Vec::with_capacity(batches.len());
        for b in batches {
            let cols = b
                .columns()
                .iter()
                .zip(schema.fields())
                .map(|(c, f)| Cells::new(c).map_err(|e| format!("column {}: {e}", f.name())))
                .collect::<Result<Vec<_>, _>>()?;
            prepared.push(cols);
        }
        Ok(ArrowRows {
            name: name.to_string(),
            header,
            batches: prepared,
            lens: batches.iter().map(RecordBatch::num_rows).collect(),
            batch: 0,
            next: 0,
            line: 2,
            buf: Vec::new(),
        })
    }
}

impl RowStream for ArrowRows {
    fn file(&self) -> &str {
        &self.name
    }
    fn header(&self) -> &[String] {
        &self.header
    }
    fn next_row(&mut self, row: &mut Row, _problems: &mut Vec<Problem>) -> Option<u64> {
        while self.next >= *self.lens.get(self.batch)? {
            self.batch += 1;
            self.next = 0;
        }
        row.clear();
        for c in &self.batches[self.batch] {
            c.push(self.next, row, &mut self.buf);
        }
        self.next += 1;
        let line = self.line;
        self.line += 1;
        Some(line)
    }
}

/// A result table as one record batch: text, 64-bit integers, 64-bit floats, dates (date32).
pub fn record_batch(t: &Table) -> Result<RecordBatch, String> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for c in &t.columns {
        let (dt, a): (DataType, ArrayRef) = match &c.data {
            ColumnData::Str(v) => (DataType::Utf8, Arc::new(v.iter().map(Option::as_deref).collect::<StringArray>())),
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
