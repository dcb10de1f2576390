//! The widget's components, one per file: the widget shell, the form, its fields and the confirmation.

mod callback_choice;
mod channel_group;
mod confirmation;
mod contact_form;
mod field;
mod markup;
mod widget;

pub use widget::widget;
