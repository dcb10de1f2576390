//! The related records of a query's answer: each record's parents (`"Owner": {"attributes": …,
//! "Name": …}`, or `null` when there is none or the caller may not see it) and its children, the
//! relationship subqueries (`"Tasks": {"totalSize": n, "done": true, "records": […]}`, or `null` when
//! there are none). The children of a whole batch are read with one query per subquery, over the batch's
//! ids, each parent then keeping its subquery's LIMIT of them.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::access::Visibility;
use crate::salesforce::rows;
use crate::salesforce::schema::{Field, SObject};
use crate::soql::check::{Checked, Child, ParentField, Parents};
use crate::store::{self, Filter, Select, Store, Value as Stored};

/// What a record of a query holds: its own fields, its parents' fields and the parents themselves.
#[derive(Debug, Clone)]
pub struct Shape {
    pub object: &'static SObject,
    /// `None` for `COUNT()`.
    pub fields: Option<Vec<&'static Field>>,
    pub parent_fields: Vec<ParentField>,
    pub parents: Parents,
}

impl Shape {
    pub fn of(checked: &Checked) -> Self {
        Self {
            object: checked.object,
            fields: checked.fields.clone(),
            parent_fields: checked.parent_fields.clone(),
            parents: checked.parents.clone(),
        }
    }

    /// The record `id` of a row whose columns are `values` (as `Checked::select` orders them).
    pub fn record(&self, version: &str, id: &str, values: &[Stored]) -> Value {
        let fields = self.fields.as_deref().unwrap_or_default();
        let mut record = rows::record(self.object, version, Some(id), fields, values);
        if let Value::Object(map) = &mut record {
            for (n, parent) in self.parents.joins.iter().enumerate() {
                if parent.from.is_none() && parent.shown {
                    map.insert(
                        parent.relationship().into(),
                        self.parent(version, n, values),
                    );
                }
            }
        }
        record
    }

    /// The parent `join` of a row, with its fields and its own parents.
    fn parent(&self, version: &str, join: usize, values: &[Stored]) -> Value {
        let own = self.fields.as_ref().map_or(0, Vec::len);
        let ids = own + self.parent_fields.len() + 2 * join;
        let (Some(Stored::Text(id)), Some(Stored::Text(object))) =
            (values.get(ids), values.get(ids + 1))
        else {
            return Value::Null;
        };
        let parent = &self.parents.joins[join];
        let mut map = Map::new();
        map.insert(
            "attributes".into(),
            json!({
                // A polymorphic parent is Salesforce's `Name` object; its url names what it is.
                "type": if parent.polymorphic() { "Name" } else { object.as_str() },
                "url": format!("/services/data/v{version}/sobjects/{object}/{id}"),
            }),
        );
        for (n, field) in self.parent_fields.iter().enumerate() {
            if field.join == join
                && let Some(value) = values.get(own + n)
            {
                map.insert(
                    field.place.field.name.into(),
                    rows::value(field.place.field, value),
                );
            }
        }
        for (n, above) in self.parents.joins.iter().enumerate() {
            if above.from == Some(join) && above.shown {
                map.insert(above.relationship().into(), self.parent(version, n, values));
            }
        }
        Value::Object(map)
    }
}

/// One relationship subquery, planned for the caller: its query narrowed to the children they see,
/// reading the reference to the parent last; each batch adds its parents' ids.
#[derive(Debug, Clone)]
pub struct Children {
    pub name: &'static str,
    pub shape: Shape,
    /// Each parent's most children, the subquery's LIMIT.
    pub limit: Option<u64>,
    link: store::Operand,
    select: Select,
}

impl Children {
    /// The plan of `child` for `user`, narrowed to what `seen` may see.
    pub fn of(child: &Child, user: &str, all_rows: bool, seen: &Visibility) -> Self {
        let query = &child.query;
        let mut select = query.select(user, all_rows, &|object| seen.filter(object));
        seen.narrow(query.object, &mut select);
        select.limit = None;
        select.offset = 0;
        select.columns.push(child.link.column);
        Self {
            name: child.name,
            shape: Shape::of(query),
            limit: query.limit,
            link: child.link.operand(),
            select,
        }
    }

    /// The statement of the children of the records `ids`.
    pub fn statement(&self, store: &Store, ids: &[String]) -> store::Page {
        let mut select = self.select.clone();
        let within = Filter::In(
            self.link,
            false,
            ids.iter().map(|id| Stored::Text(id.clone())).collect(),
        );
        select.filter = Filter::and(select.filter.take(), Some(within));
        store.prepare(&select).page
    }

    /// Each parent's answer of this subquery, from the children `rows` read (the parent's id last in
    /// each row): `null` for a parent with none.
    pub fn answers(
        &self,
        version: &str,
        rows: Vec<(String, Vec<Stored>)>,
    ) -> HashMap<String, Value> {
        let mut by_parent: HashMap<String, Vec<Value>> = HashMap::new();
        for (id, mut values) in rows {
            let Some(Stored::Text(parent)) = values.pop() else {
                continue;
            };
            let records = by_parent.entry(parent).or_default();
            if self
                .limit
                .is_none_or(|limit| (records.len() as u64) < limit)
            {
                records.push(self.shape.record(version, &id, &values));
            }
        }
        by_parent
            .into_iter()
            .map(|(parent, records)| {
                let answer =
                    json!({ "totalSize": records.len(), "done": true, "records": records });
                (parent, answer)
            })
            .collect()
    }
}
