//! A visitor's journey through one widget, as the Contact Request Details field group counts it: the
//! measures, the `xdm:eventType` that records each, and the rules the widget counts them by. The server
//! checks the browser's events against the same measures and writes the sent request's event itself.

/// What an event counts: one occurrence of one of the field group's measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    ChatOffered,
    ChatStart,
    ChatEnd,
    ChatDeclined,
    ClickToCall,
    ClickToEmail,
    ClickToText,
    ClickToDirectMessage,
}

impl Measure {
    pub const ALL: [Self; 8] = [
        Self::ChatOffered,
        Self::ChatStart,
        Self::ChatEnd,
        Self::ChatDeclined,
        Self::ClickToCall,
        Self::ClickToEmail,
        Self::ClickToText,
        Self::ClickToDirectMessage,
    ];

    /// The measure's name in the field group, without its prefix (`chatOffered`): as counted, and as the
    /// page's events name it (`contact_request_chatOffered`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::ChatOffered => "chatOffered",
            Self::ChatStart => "chatStart",
            Self::ChatEnd => "chatEnd",
            Self::ChatDeclined => "chatDeclined",
            Self::ClickToCall => "clickToCall",
            Self::ClickToEmail => "clickToEmail",
            Self::ClickToText => "clickToText",
            Self::ClickToDirectMessage => "clickToDirectMessage",
        }
    }

    /// The `xdm:eventType` of the event that records it: the time-series value `web.formFilledOut` for a
    /// sent request, values of the product's own (documented in README) for the rest. The loader writes
    /// `contactRequest.offered` itself, as it records the offer before the form is fetched.
    pub const fn event_type(self) -> &'static str {
        match self {
            Self::ChatOffered => "contactRequest.offered",
            Self::ChatStart => "contactRequest.started",
            Self::ChatEnd => "contactRequest.ended",
            Self::ChatDeclined => "contactRequest.declined",
            Self::ClickToCall => "contactRequest.clickToCall",
            Self::ClickToEmail => "contactRequest.clickToEmail",
            Self::ClickToText => "contactRequest.clickToText",
            Self::ClickToDirectMessage => "web.formFilledOut",
        }
    }

    /// Whether a browser reports it to the server: a sent request is the server's to record, with the
    /// request, so that its count is exact; the page is still told of it.
    pub const fn browser_may_send(self) -> bool {
        !matches!(self, Self::ClickToDirectMessage)
    }
}

/// What happened in a widget, as its journey sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The panel opened, or a field of the inline form took focus.
    Start,
    /// The panel closed, or the page was left.
    End,
    /// A request was stored (the intake's `201`).
    Sent,
}

/// One widget session's counts so far: one `chatStart` and at most one `chatEnd` however many times
/// the panel opens and closes, `chatDeclined` with the end of a started session that sent nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Journey {
    started: bool,
    ended: bool,
    sent: bool,
}

impl Journey {
    /// The measures `step` records, in order (none when it counts nothing new).
    pub fn step(&mut self, step: Step) -> &'static [Measure] {
        match step {
            Step::Start if !self.started => {
                self.started = true;
                &[Measure::ChatStart]
            }
            Step::End if self.started && !self.ended => {
                self.ended = true;
                if self.sent {
                    &[Measure::ChatEnd]
                } else {
                    &[Measure::ChatEnd, Measure::ChatDeclined]
                }
            }
            Step::Sent => {
                self.sent = true;
                &[Measure::ClickToDirectMessage]
            }
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Measure::*;
    use super::*;

    /// Every measure the steps record, in order.
    fn counted(steps: &[Step]) -> Vec<Measure> {
        let mut journey = Journey::default();
        steps
            .iter()
            .flat_map(|s| journey.step(*s).to_vec())
            .collect()
    }

    #[test]
    fn a_session_starts_once_and_ends_at_most_once_however_many_opens() {
        use Step::*;
        assert_eq!(
            counted(&[Start, End, Start, End, Start, End]),
            [ChatStart, ChatEnd, ChatDeclined]
        );
        assert_eq!(counted(&[Start, Start, Start]), [ChatStart]);
    }

    #[test]
    fn declined_only_after_a_start_and_without_a_send() {
        use Step::*;
        let table: [(&[Step], &[Measure], &str); 6] = [
            (&[End], &[], "an end without a start counts nothing"),
            (
                &[Start, End],
                &[ChatStart, ChatEnd, ChatDeclined],
                "opened and closed",
            ),
            (
                &[Start, Sent, End],
                &[ChatStart, ClickToDirectMessage, ChatEnd],
                "sent before closing",
            ),
            (
                &[Start, End, Start, Sent, End],
                &[ChatStart, ChatEnd, ChatDeclined, ClickToDirectMessage],
                "closed, then opened again and sent: the end was counted at the first close",
            ),
            (
                &[Start, Sent, Sent, End],
                &[
                    ChatStart,
                    ClickToDirectMessage,
                    ClickToDirectMessage,
                    ChatEnd,
                ],
                "every stored request is a send",
            ),
            (
                &[Start, End, End],
                &[ChatStart, ChatEnd, ChatDeclined],
                "a page left after a close ends nothing more",
            ),
        ];
        for (steps, expected, why) in table {
            assert_eq!(counted(steps), expected, "{why}");
        }
    }

    #[test]
    fn the_browser_reports_every_measure_but_the_sent_request() {
        let sent: Vec<_> = Measure::ALL
            .into_iter()
            .filter(|m| !m.browser_may_send())
            .collect();
        assert_eq!(sent, [ClickToDirectMessage]);
        assert_eq!(ChatOffered.event_type(), "contactRequest.offered");
    }
}
