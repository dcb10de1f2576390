//! A SOQL error with where it happened, rendered as Salesforce renders them: the query, a caret under the
//! position, `ERROR at Row:r:Column:c` and the reason.

/// What went wrong and where (a character offset into the query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoqlError {
    pub code: &'static str,
    pub message: String,
    pub position: usize,
}

impl SoqlError {
    pub fn malformed(position: usize, message: impl Into<String>) -> Self {
        Self {
            code: "MALFORMED_QUERY",
            message: message.into(),
            position,
        }
    }

    pub fn field(position: usize, message: impl Into<String>) -> Self {
        Self {
            code: "INVALID_FIELD",
            message: message.into(),
            position,
        }
    }

    /// The message with the query line, a caret, and the row and column (1-based).
    pub fn render(&self, query: &str) -> String {
        let before: String = query.chars().take(self.position).collect();
        let row = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        let line: String = query[line_start..]
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(200)
            .collect();
        let caret = " ".repeat(column.saturating_sub(1).min(200));
        format!(
            "\n{line}\n{caret}^\nERROR at Row:{row}:Column:{column}\n{}",
            self.message
        )
    }
}
