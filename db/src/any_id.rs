//! `column IN (ids)` with the ids as one bound value. Diesel's `eq_any` writes one placeholder
//! per id, so the statement's text changes with the number of ids and is never kept prepared:
//! every members page parsed and planned its rows, tags and units queries again (a tenth of the
//! page). Here the text is fixed — SQLite reads a JSON array (`json_each`), PostgreSQL an array
//! (`= ANY`) — and the statement cache keeps it.
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Bool, Text};
use diesel::sqlite::Sqlite;
use diesel::QueryResult;

#[derive(Debug, Clone)]
pub struct AnyId<C> {
    column: C,
    ids: Vec<i64>,
    json: String,
}

/// `column` is one of `ids`.
pub fn any_id<C>(column: C, ids: &[i64]) -> AnyId<C> {
    let mut json = String::with_capacity(ids.len() * 8 + 2);
    json.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&id.to_string());
    }
    json.push(']');
    AnyId { column, ids: ids.to_vec(), json }
}

impl<C: Expression<SqlType = BigInt>> Expression for AnyId<C> {
    type SqlType = Bool;
}

impl<C: AppearsOnTable<QS> + Expression<SqlType = BigInt>, QS> AppearsOnTable<QS> for AnyId<C> {}

impl<C: SelectableExpression<QS> + Expression<SqlType = BigInt>, QS> SelectableExpression<QS> for AnyId<C> {}

impl<C: ValidGrouping<GB>, GB> ValidGrouping<GB> for AnyId<C> {
    type IsAggregate = C::IsAggregate;
}

impl<C> QueryId for AnyId<C> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for AnyId<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Text, _>(&self.json)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for AnyId<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<BigInt>, _>(&self.ids)?;
        out.push_sql(")");
        Ok(())
    }
}
