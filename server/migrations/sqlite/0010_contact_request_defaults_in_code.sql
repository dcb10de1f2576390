-- Every writer of a contact request (the widget's intake, the API, a telephony provider's callback) now
-- gives its owner, creator, last modifier and modstamp itself, from one place in the server
-- (store/contact_requests.rs), so no path depends on a trigger that another database would not have.
DROP TRIGGER contact_requests_intake_defaults;
