"""What `helpt --help` and each command's `--help` say: a summary, what it does, and an example.

Written for a coordinator, not a developer: what the command is for, what it changes, what to watch out
for. The English texts are message ids, translated in the tool's catalog; the examples are not translated.
"""

from __future__ import annotations

from helpt.staff.texts import N_

# name: (one line for the list of commands, what it does, example), all translated when shown.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "worklist": (
        N_("show every open help request, the most pressing first, with suggested volunteers"),
        N_("Every help request that is new, contacted or matched, until it is done or closed: first the "
           "call-backs that are due, then urgent requests nobody contacted yet, then by urgency and oldest first; "
           "call-backs for later come last, with their time. OVERDUE: waiting longer than the city promises "
           "without a first contact. The top line counts them. Requests that still need a volunteer get "
           "suggestions with the reasons: the kind of help and the language, free when needed, the fewest open "
           "tasks, the same neighbourhood, matched longest ago. Call both sides and ask their consent."),
        "helpt worklist\n  helpt worklist --mine\n  helpt worklist --unclaimed --neighbourhood Kessel-Lo --kind dog\n"
        "  helpt worklist --status new --suggestions 5",
    ),
    "claim": (
        N_("take a help request, so that colleagues do not call the same people"),
        N_("The working list and the back office show who holds the request. A request someone else holds is "
           "refused: they hand it over (helpt release --to), or you take it over from them with --from."),
        "helpt claim H-ABCD-EFGH\n  helpt claim H-ABCD-EFGH --from jef.peeters",
    ),
    "release": (
        N_("let go of a help request you hold, or hand it over"),
        N_("Without --to, the request is nobody's again and anybody can take it. With --to, it goes to that "
           "colleague."),
        "helpt release H-ABCD-EFGH\n  helpt release H-ABCD-EFGH --to ann.claes",
    ),
    "note": (
        N_("keep a note of a call, and when to call back"),
        N_("The note (at most 1,000 characters) is kept in the record's history, with when and who, and deleted "
           "with the record: write only what is needed. With --call-back the request comes to the top of the "
           "working list at that time, until someone works on it."),
        'helpt note H-ABCD-EFGH "No answer, try again after lunch" --call-back "2020-03-16 14:00"',
    ),
    "propose": (
        N_("record that you asked a volunteer to take a help request"),
        N_("The first of two steps: the volunteer was asked (the hand-out helps) and the request keeps its "
           "status. The volunteer goes down in the suggestions for other requests meanwhile. Once both sides "
           "agreed, confirm it; if not, undo it."),
        "helpt propose H-ABCD-EFGH V-KLMN-PQRS",
    ),
    "confirm": (
        N_("record that both sides agreed to a proposed match"),
        N_("The request's status becomes 'matched', on both records. Then print the task slip with `helpt slip`."),
        "helpt confirm H-ABCD-EFGH V-KLMN-PQRS",
    ),
    "match": (
        N_("record that a volunteer takes a help request (propose and confirm at once)"),
        N_("Records the match on both records; the request's status becomes 'matched'. Do this once both sides "
           "agreed, then print the task slip with `helpt slip`."),
        "helpt match H-ABCD-EFGH V-KLMN-PQRS",
    ),
    "undo": (
        N_("undo a proposal or a match that was wrong"),
        N_("The volunteer no longer takes the request: the request goes back to 'contacted' and the volunteer "
           "is free for others. A reason is needed; the history keeps the match and its undoing."),
        'helpt undo H-ABCD-EFGH V-KLMN-PQRS --reason "not free on Thursday after all"',
    ),
    "pause": (
        N_("stop suggesting a volunteer for a while"),
        N_("A paused volunteer is never suggested, until you resume them. A reason is needed (a few words, "
           "nothing about their health)."),
        'helpt pause V-KLMN-PQRS --reason "away until 1 May"',
    ),
    "resume": (
        N_("suggest a paused volunteer again"),
        N_("Ends a pause: the volunteer is suggested again."),
        "helpt resume V-KLMN-PQRS",
    ),
    "verify": (
        N_("record that a volunteer's identity was checked"),
        N_("Say how (in_person: identity card seen in person; video_call: seen in a video call; partner: checked "
           "by a partner organisation), by whom and on which day. The volunteer gets a new check code for their "
           "personal card; a card printed before no longer checks. It holds until withdrawn or the record expires."),
        'helpt verify V-KLMN-PQRS --method in_person --checked-by "An Peeters" --checked-on 2020-03-20',
    ),
    "unverify": (
        N_("withdraw a volunteer's verification"),
        N_("The code on their personal card no longer checks: a resident who checks it hears that the city does "
           "not know it. A reason is needed; the history keeps it."),
        'helpt unverify V-KLMN-PQRS --reason "stopped volunteering"',
    ),
    "check": (
        N_("check the code on a personal card"),
        N_("What a resident on the phone reads from the back of a card: whether it belongs to a volunteer the city "
           "knows, with their first name, neighbourhood and until when. A withdrawn or expired code is unknown."),
        'helpt check "KFM7X RT9AC"',
    ),
    "card": (
        N_("print a verified volunteer's personal card"),
        N_("A PDF with their first name, the kinds of help they offered and their check code: four cards on an "
           "A4 sheet to print at home, or one A6 card with bleed for a print shop."),
        "helpt card V-KLMN-PQRS --output card.pdf --design sheet-a4",
    ),
    "status": (
        N_("change the status of a request or a volunteer"),
        N_("The statuses are: new, contacted, matched, done, closed. Closing needs a reason. The change, when, "
           "who made it and the reason are kept with the record, and deleted with it."),
        'helpt status H-ABCD-EFGH contacted\n  helpt status H-ABCD-EFGH closed --reason "found help nearby"',
    ),
    "show": (
        N_("show one record and its history"),
        N_("Everything one record holds, with the questions as the form asks them, and what staff did with it: "
           "use it to call someone back."),
        "helpt show H-ABCD-EFGH",
    ),
    "slip": (
        N_("make the task slip (PDF) for the matched volunteer"),
        N_("A one-page PDF for the volunteer: what to do, where, whom to call, when, the money rules, and the "
           "city's phone number. It holds the person's first name, address and a phone number: give it to the "
           "matched volunteer only."),
        "helpt slip H-ABCD-EFGH --output slip.pdf\n  helpt slip H-ABCD-EFGH --lang en --paper a4 --output slip.pdf",
    ),
    "handout": (
        N_("write the short hand-out for one help request"),
        N_("Just enough for a volunteer, or the organisation that sends one, to decide: the person's first name, "
           "the street without house number, the kind of help and when. Plain text, to read out, paste into a "
           "message or print. Recorded in the export log."),
        "helpt handout H-ABCD-EFGH\n  helpt handout H-ABCD-EFGH --output handout.txt",
    ),
    "intake": (
        N_("enter a help request taken by phone"),
        N_("Asks the web form's questions one by one: type the caller's answers. Choices have numbers. Read the "
           "consent text aloud when asked. At the end you see the whole request: type y to save it, or n to "
           "change any answer first. Type stop to stop; the tool asks before it drops what you typed. Once "
           "saved, you get the reference to give the caller."),
        "helpt intake\n  helpt intake --lang en",
    ),
    "correct": (
        N_("correct answers of a stored record"),
        N_("Shows the record's questions with their answers: pick one by its number and type the new answer, "
           "checked as the form checks it. Or give the new answers with --set, for example --set "
           "phone=0470123456 (several choices with commas: --set help=groceries,pharmacy; nothing after = "
           "empties an answer). Each correction is kept in the record's history with the old answer, when "
           "and by whom: helpt show lists them."),
        "helpt correct H-ABCD-EFGH\n  helpt correct H-ABCD-EFGH --set phone=0470123456 --set postcode=3010",
    ),
    "export": (
        N_("export submissions to a CSV or Excel file"),
        N_("Writes the submissions you select to a CSV or Excel (XLSX) file, with headings in your language. "
           "Expired submissions are never exported. Every export is recorded in the export log. The file holds "
           "personal data: keep it in your own folder and delete it when you are done."),
        "helpt export --form help_request --status new --output requests.xlsx\n"
        "  helpt export --from 2020-03-16 --to 2020-03-31 --separator ';' --output march.csv",
    ),
    "exports": (
        N_("list the export log"),
        N_("Every export, hand-out, task slip, access request, erasure and purge: when, by whom, which selection "
           "and how many records. The log holds no personal data."),
        "helpt exports",
    ),
    "access": (
        N_("write everything held about one person (GDPR access request)"),
        N_("Finds every record with this e-mail address or phone number, also a help request someone asked for "
           "another person (found by either person's details), and writes it to a file: readable text to send "
           "to the person, or JSON. It says as whom the person was found, and leaves out the other person's "
           "contact details. Expired records are deleted first. Recorded in the export log, without the "
           "address or number."),
        "helpt access --email maria@example.com --output maria.txt\n"
        '  helpt access --phone "0470 12 34 56" --format json --output access.json',
    ),
    "erase": (
        N_("erase a person's data on request"),
        N_("Deletes every record with this reference, e-mail address or phone number (0470 12 34 56 and "
           "+32 470 12 34 56 are the same number; either person of a request for someone else), what was kept "
           "apart as spam, and their history. It first lists each record with its form, name and date. Expired "
           "records are deleted first. The export log keeps that an erasure happened, not whose. Files "
           "exported earlier are not touched: delete them yourself."),
        'helpt erase --reference H-ABCD-EFGH\n  helpt erase --email maria@example.com\n'
        '  helpt erase --phone "0470 12 34 56"',
    ),
    "purge": (
        N_("delete expired records now"),
        N_("Deletes every record past its retention period now. The tool hides them already; this removes "
           "them. Run it daily, and before answering a privacy request."),
        "helpt purge",
    ),
    "digest": (
        N_("tell the help mailbox which requests wait longer than the city promises"),
        N_("Lists the help requests still new after the city's promise (staff.promise_hours), by reference, and "
           "sends them in one message to the help mailbox, with a link to the working list. Nothing is sent "
           "when none is waiting. Run it each morning; on AWS a schedule does."),
        "helpt digest",
    ),
    "figures": (
        N_("count submissions per day, neighbourhood and status, and how fast requests were answered"),
        N_("Counts of the submissions held now, and the hours from a help request to its first contact and to "
           "its match (median and 90th percentile). With --chart, also a picture of help requests and "
           "volunteer sign-ups per day (PNG, or SVG for a .svg file). With --public, the counts for the site's "
           "figures page, small counts left out: build or deploy the site with that file as content/figures.json."),
        "helpt figures\n  helpt figures --from 2020-03-16 --chart figures.png\n"
        "  helpt figures --public content/figures.json",
    ),
    "accounts": (
        N_("manage who may use the web back office, and in which role"),
        N_("add makes an account and prints a one-time sign-in link, valid for 24 hours, with which the staff "
           "member chooses a password; link makes a new link (a forgotten password); list shows every account; "
           "role changes an account's role at once; remove withdraws access, also from a session in progress. "
           "The roles: call_centre, coordinator, privacy_officer. Each change is in the audit log."),
        "helpt accounts add ann.claes --role coordinator --display-name \"Ann Claes\"\n"
        "  helpt accounts list\n  helpt accounts role ann.claes call_centre\n  helpt accounts remove ann.claes",
    ),
}  # fmt: skip
