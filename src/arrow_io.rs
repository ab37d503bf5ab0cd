//! Arrow in and out (compiled with the `python` feature): DataFrames become the same raw text
//! cells as a CSV file, so one set of checks serves both; result tables become record batches.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_cast::cast;
use arrow_schema::{DataType, Field, Schema};
use chrono::NaiveDate;

use crate::read::RawTable;
use crate::table::{ColumnData, Table};

/// The cells of one column as text: dates as YYYY-MM-DD (a datetime gives its date), booleans
/// as 1/0, whole floats without a decimal point (pandas makes a number column with blanks a
/// float column), NaN and nulls blank.
fn column_text(col: &ArrayRef) -> Result<Vec<String>, String> {
    let err = |e: arrow_schema::ArrowError| e.to_string();
    let n = col.len();
    let out = match col.data_type() {
        DataType::Null => vec![String::new(); n],
        DataType::Boolean => {
            let a = col.as_any().downcast_ref::<BooleanArray>().ok_or("boolean column")?;
            (0..n).map(|i| if a.is_null(i) { String::new() } else if a.value(i) { "1".into() } else { "0".into() }).collect()
        }
        DataType::Float16 | DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) | DataType::Decimal256(..) => {
            let f = cast(col, &DataType::Float64).map_err(err)?;
            let a = f.as_any().downcast_ref::<Float64Array>().ok_or("float column")?;
            (0..n)
                .map(|i| {
                    let v = a.value(i);
                    if a.is_null(i) || v.is_nan() {
                        String::new()
                    } else if v.fract() == 0.0 && v.abs() < 9.0e15 {
                        format!("{}", v as i64)
                    } else {
                        format!("{v}")
                    }
                })
                .collect()
        }
        DataType::Timestamp(..) | DataType::Date64 => {
            let d = cast(col, &DataType::Date32).map_err(err)?;
            text(&cast(&d, &DataType::Utf8).map_err(err)?)?
        }
        _ => text(&cast(col, &DataType::Utf8).map_err(err)?)?,
    };
    Ok(out)
}

fn text(a: &ArrayRef) -> Result<Vec<String>, String> {
    let s = a.as_any().downcast_ref::<StringArray>().ok_or("text column")?;
    Ok((0..s.len()).map(|i| if s.is_null(i) { String::new() } else { s.value(i).trim().to_string() }).collect())
}

/// A raw table from record batches. Row i (from 0) is "line" i + 2, as if the frame were
/// written as CSV with its header on line 1.
pub fn raw_table(name: &str, schema: &Schema, batches: &[RecordBatch]) -> Result<RawTable, String> {
    let header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let mut rows = Vec::new();
    let mut line = 2u64;
    for b in batches {
        let cols: Vec<Vec<String>> = b
            .columns()
            .iter()
            .zip(schema.fields())
            .map(|(c, f)| column_text(c).map_err(|e| format!("column {}: {e}", f.name())))
            .collect::<Result<_, _>>()?;
        for i in 0..b.num_rows() {
            rows.push((line, crate::read::row_of(&cols.iter().map(|c| c[i].as_str()).collect::<Vec<&str>>())));
            line += 1;
        }
    }
    Ok(RawTable { file: name.to_string(), header, rows })
}

/// A result table as one record batch: text, 64-bit integers, 64-bit floats, dates (date32).
pub fn record_batch(t: &Table) -> Result<RecordBatch, String> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for c in &t.columns {
        let (dt, a): (DataType, ArrayRef) = match &c.data {
            ColumnData::Str(v) => (DataType::Utf8, Arc::new(StringArray::from(v.clone()))),
            ColumnData::Int(v) => (DataType::Int64, Arc::new(Int64Array::from(v.clone()))),
            ColumnData::Float(v) => (DataType::Float64, Arc::new(Float64Array::from(v.clone()))),
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
