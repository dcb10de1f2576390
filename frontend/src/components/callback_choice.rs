//! When to call: as soon as possible, or a time among the call center's slots, listed by day in the
//! visitor's own time zone (the browser's `Intl`, no date library) and sent as the slot's UTC start.
//!
//! Built for the widget's size budget: the slots are one `<select>` whose options are written as HTML,
//! the radios are the browser's own (no reactive state), and the stylesheet shows the group for the Phone
//! channel and the list once "Pick a time" is checked (`.crw-when`).

use contact_shared::field;
use js_sys::{Date, Object, Reflect};

use super::field::{Control, Field};
use super::markup::{Html, escape};
use crate::host::Texts;
use crate::model::FormModel;

/// The `name` of the radios that choose between as soon as possible and a time.
pub const CHOICE: &str = "crw-when";

/// The slots a visitor picks from: fetched when they choose to pick a time, and again when the server
/// refuses the chosen one; the list on show is the form's state ([`FormModel::slots`]). A copyable
/// handle, so the form can ask for fresh slots.
#[derive(Clone, Copy)]
pub struct Slots {
    model: FormModel,
    texts: Texts,
    /// Leaked: the form lives as long as the page, and a `&'static str` costs no reactive storage.
    url: &'static str,
}

impl Slots {
    /// The slots listed at `url`, not fetched yet.
    pub fn new(model: FormModel, texts: Texts, url: String) -> Self {
        Self {
            model,
            texts,
            url: url.leak(),
        }
    }

    /// The server refused the chosen time (the slot filled meanwhile): fresh slots replace the old ones
    /// in place, and the visitor chooses again, with the server's message on show until they do.
    pub fn reload(self) {
        if self.model.slots_untracked().is_some() {
            self.load(false);
        }
    }

    /// The visitor chose `choice` on the radios: `pick` fetches the slots and chooses the earliest;
    /// `asap` takes the list and the chosen time away.
    pub fn choose(self, choice: &str) {
        match choice {
            "pick" => self.load(true),
            "asap" => {
                self.model.show_slots(None);
                self.model.edit(field::CALLBACK_TIME, String::new());
            }
            _ => {}
        }
    }

    /// Fetches the slots; the earliest is chosen when `choose_first`, else none is.
    fn load(self, choose_first: bool) {
        if choose_first {
            self.model
                .show_slots(Some(note(&self.texts.get("when_loading"))));
        }
        wasm_bindgen_futures::spawn_local(async move {
            let starts = crate::site::callback_slots(self.url).await;
            self.show(&starts, choose_first);
        });
    }

    fn show(self, starts: &[String], choose_first: bool) {
        let texts = self.texts;
        let chosen = match starts.first() {
            Some(first) if choose_first => first.as_str(),
            _ => "",
        };
        let html = if starts.is_empty() {
            note(&texts.get("when_none"))
        } else {
            let locale = texts.get("locale");
            let day = [("weekday", "long"), ("day", "numeric"), ("month", "long")];
            // The zone's name on each time says whose clock it is.
            let time = [
                ("hour", "numeric"),
                ("minute", "2-digit"),
                ("timeZoneName", "short"),
            ];
            let items = starts.iter().map(|start| {
                let date = Date::new(&start.into());
                (
                    local(&date, &locale, &day),
                    start.as_str(),
                    local(&date, &locale, &time),
                )
            });
            options(items, &texts.get("when_choose"), chosen)
        };
        // A reload prefills: an edit would take the server's message away before the visitor chose.
        if choose_first {
            self.model.edit(field::CALLBACK_TIME, chosen.to_owned());
        } else {
            self.model.prefill(field::CALLBACK_TIME, String::new());
        }
        self.model.show_slots(Some(html));
    }
}

/// Writes a radio group, "As soon as possible" (the default) or "Pick a time", and the slots' list, a
/// [`Control::Slots`] field, which it answers so the form keeps it in step. The list stays in place (and
/// keeps focus) when fresh slots replace its options.
pub fn write(html: &mut Html, model: FormModel, texts: Texts) -> Field {
    html.open("fieldset", &[("class", Some("crw-field crw-when"))]);
    html.element("legend", &[], &texts.get("when"));
    html.open("div", &[("class", Some("crw-radios"))]);
    for (value, checked, key) in [("asap", Some(""), "when_asap"), ("pick", None, "when_pick")] {
        html.open("label", &[("class", Some("crw-radio"))]);
        html.open(
            "input",
            &[
                ("type", Some("radio")),
                ("name", Some(CHOICE)),
                ("value", Some(value)),
                ("checked", checked),
            ],
        );
        html.text(&texts.get(key)).close("label");
    }
    html.close("div");
    let list = Field {
        name: field::CALLBACK_TIME,
        label: texts.get("when_time"),
        hint: Some(texts.get("when_zone")),
        control: Control::Slots,
    };
    list.write(html, model);
    html.close("fieldset");
    list
}

/// A list that says `text` instead of offering times.
fn note(text: &str) -> String {
    let mut html = String::from("<option value=\"\">");
    escape(&mut html, text);
    html.push_str("</option>");
    html
}

/// The visitor's own IANA time zone (`Europe/Paris`), as the browser's `Intl` resolves it: sent with the
/// form so a representative sees the chosen time on the visitor's clock too.
pub fn time_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &Object::new());
    Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()?
        .as_string()
}

/// `date` in the visitor's time zone, written as `locale` writes these `Intl` parts.
fn local(date: &Date, locale: &str, parts: &[(&str, &str)]) -> String {
    let options = Object::new();
    for (key, value) in parts {
        let _ = Reflect::set(&options, &(*key).into(), &(*value).into());
    }
    date.to_locale_string(locale, &options).into()
}

/// The `<option>`s of `(day, value, time)` items in order, gathered in an `<optgroup>` per day, after
/// an empty `placeholder` option; the one whose value is `chosen` is selected.
fn options<'a>(
    items: impl IntoIterator<Item = (String, &'a str, String)>,
    placeholder: &str,
    chosen: &str,
) -> String {
    let mut html = note(placeholder);
    let mut current = None;
    for (day, value, time) in items {
        if current.as_ref() != Some(&day) {
            if current.is_some() {
                html.push_str("</optgroup>");
            }
            html.push_str("<optgroup label=\"");
            escape(&mut html, &day);
            html.push_str("\">");
            current = Some(day);
        }
        html.push_str("<option value=\"");
        escape(&mut html, value);
        html.push_str(if value == chosen {
            "\" selected>"
        } else {
            "\">"
        });
        escape(&mut html, &time);
        html.push_str("</option>");
    }
    if current.is_some() {
        html.push_str("</optgroup>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_gathered_under_their_day_with_the_chosen_one_selected() {
        let item =
            |day: &str, value: &'static str, time: &str| (day.to_owned(), value, time.to_owned());
        let html = options(
            [
                item("Monday", "2026-03-02T23:00:00Z", "11:00 PM"),
                item("Monday", "2026-03-02T23:30:00Z", "11:30 PM"),
                item("Tuesday", "2026-03-03T00:00:00Z", "12:00 AM"),
            ],
            "Choose a time",
            "2026-03-02T23:30:00Z",
        );
        assert_eq!(
            html,
            "<option value=\"\">Choose a time</option>\
             <optgroup label=\"Monday\">\
             <option value=\"2026-03-02T23:00:00Z\">11:00 PM</option>\
             <option value=\"2026-03-02T23:30:00Z\" selected>11:30 PM</option>\
             </optgroup>\
             <optgroup label=\"Tuesday\">\
             <option value=\"2026-03-03T00:00:00Z\">12:00 AM</option>\
             </optgroup>"
        );
    }

    #[test]
    fn what_the_server_or_the_locale_sends_cannot_become_markup() {
        let html = options(
            [(
                "<b>\"Mon\" & Tue</b>".to_owned(),
                "\"><script>",
                "<i>".to_owned(),
            )],
            "<Choose>",
            "",
        );
        assert!(
            !html.contains("<b>") && !html.contains("<script>") && !html.contains("<i>"),
            "{html}"
        );
        assert!(
            html.contains("label=\"&lt;b>&quot;Mon&quot; &amp; Tue&lt;/b>\""),
            "{html}"
        );
        assert!(html.contains("value=\"&quot;>&lt;script>\""), "{html}");
    }
}
