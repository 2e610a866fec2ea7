//! A table described column by column: each column's name, type and how
//! to get its value from a row (a connection summary, a capture). One
//! description makes both the Arrow schema and the batches, so the two
//! cannot disagree.

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, ListArray, RecordBatch, StringArray, StructArray,
    TimestampNanosecondArray, UInt16Array, UInt32Array, UInt64Array,
};
use arrow_buffer::OffsetBuffer;
use arrow_schema::{ArrowError, DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

use std::sync::Arc;

type Get<T, V> = Box<dyn Fn(&T) -> V + Send + Sync>;

/// How a column's value is read from a row.
pub(crate) enum Getter<T> {
    U16(Get<T, Option<u16>>),
    U32(Get<T, Option<u32>>),
    U64(Get<T, Option<u64>>),
    F64(Get<T, Option<f64>>),
    Bool(Get<T, Option<bool>>),
    Str(Get<T, Option<String>>),
    /// Nanoseconds since the Unix epoch (UTC).
    Time(Get<T, Option<i64>>),
    StrList(Get<T, Vec<String>>),
    U64List(Get<T, Vec<u64>>),
    /// `list<struct<reason: utf8, count: uint64>>`.
    Counts(Get<T, Vec<(String, u64)>>),
}

pub(crate) struct Column<T> {
    pub name: String,
    pub nullable: bool,
    pub get: Getter<T>,
}

/// The timestamp type of every time column: nanoseconds, UTC, stored
/// without a time zone annotation so that DuckDB reads `TIMESTAMP_NS`
/// (its `TIMESTAMPTZ` keeps microseconds only).
pub(crate) fn time_type() -> DataType {
    DataType::Timestamp(TimeUnit::Nanosecond, None)
}

pub(crate) fn list_of(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("item", item, true)))
}

fn count_fields() -> Fields {
    Fields::from(vec![
        Field::new("reason", DataType::Utf8, false),
        Field::new("count", DataType::UInt64, false),
    ])
}

impl<T> Getter<T> {
    fn data_type(&self) -> DataType {
        match self {
            Getter::U16(_) => DataType::UInt16,
            Getter::U32(_) => DataType::UInt32,
            Getter::U64(_) => DataType::UInt64,
            Getter::F64(_) => DataType::Float64,
            Getter::Bool(_) => DataType::Boolean,
            Getter::Str(_) => DataType::Utf8,
            Getter::Time(_) => time_type(),
            Getter::StrList(_) => list_of(DataType::Utf8),
            Getter::U64List(_) => list_of(DataType::UInt64),
            Getter::Counts(_) => list_of(DataType::Struct(count_fields())),
        }
    }

    fn array(&self, rows: &[T]) -> Result<ArrayRef, ArrowError> {
        Ok(match self {
            Getter::U16(f) => Arc::new(rows.iter().map(f).collect::<UInt16Array>()),
            Getter::U32(f) => Arc::new(rows.iter().map(f).collect::<UInt32Array>()),
            Getter::U64(f) => Arc::new(rows.iter().map(f).collect::<UInt64Array>()),
            Getter::F64(f) => Arc::new(rows.iter().map(f).collect::<Float64Array>()),
            Getter::Bool(f) => Arc::new(rows.iter().map(f).collect::<BooleanArray>()),
            Getter::Str(f) => Arc::new(rows.iter().map(f).collect::<StringArray>()),
            Getter::Time(f) => Arc::new(rows.iter().map(f).collect::<TimestampNanosecondArray>()),
            Getter::StrList(f) => {
                let lists: Vec<Vec<String>> = rows.iter().map(f).collect();
                let values: StringArray = lists.iter().flatten().map(Some).collect();
                list(&lists, Arc::new(values), DataType::Utf8)?
            }
            Getter::U64List(f) => {
                let lists: Vec<Vec<u64>> = rows.iter().map(f).collect();
                let values: UInt64Array = lists.iter().flatten().copied().map(Some).collect();
                list(&lists, Arc::new(values), DataType::UInt64)?
            }
            Getter::Counts(f) => {
                let lists: Vec<Vec<(String, u64)>> = rows.iter().map(f).collect();
                let reasons: StringArray = lists.iter().flatten().map(|(r, _)| Some(r)).collect();
                let counts: UInt64Array = lists.iter().flatten().map(|(_, n)| Some(*n)).collect();
                let pairs = StructArray::try_new(
                    count_fields(),
                    vec![Arc::new(reasons), Arc::new(counts)],
                    None,
                )?;
                list(&lists, Arc::new(pairs), DataType::Struct(count_fields()))?
            }
        })
    }
}

/// A list column of `lists.len()` rows whose items, all rows' together,
/// are `values`.
pub(crate) fn list<V>(
    lists: &[Vec<V>],
    values: ArrayRef,
    item: DataType,
) -> Result<ArrayRef, ArrowError> {
    let offsets = OffsetBuffer::from_lengths(lists.iter().map(Vec::len));
    let field = Arc::new(Field::new("item", item, true));
    Ok(Arc::new(ListArray::try_new(field, offsets, values, None)?))
}

/// A table: its columns in order and the schema they make.
pub(crate) struct Table<T> {
    columns: Vec<Column<T>>,
    schema: SchemaRef,
}

impl<T> Table<T> {
    pub fn new(columns: Vec<Column<T>>) -> Table<T> {
        let fields: Vec<Field> = columns
            .iter()
            .map(|c| Field::new(c.name.clone(), c.get.data_type(), c.nullable))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        Table { columns, schema }
    }

    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    pub fn batch(&self, rows: &[T]) -> Result<RecordBatch, ArrowError> {
        let arrays = self
            .columns
            .iter()
            .map(|c| c.get.array(rows))
            .collect::<Result<Vec<_>, _>>()?;
        RecordBatch::try_new(self.schema.clone(), arrays)
    }
}

/// Column constructors: `req` columns never hold a null, `opt` ones may.
pub(crate) fn req<T>(name: impl Into<String>, get: Getter<T>) -> Column<T> {
    Column {
        name: name.into(),
        nullable: false,
        get,
    }
}

pub(crate) fn opt<T>(name: impl Into<String>, get: Getter<T>) -> Column<T> {
    Column {
        name: name.into(),
        nullable: true,
        get,
    }
}
