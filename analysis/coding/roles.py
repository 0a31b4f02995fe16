"""Participant roles: an occupation phrase in their own words, and a SOC 2018 major group.

Where people say what they do is predictable (the first answers: "I'm a ...", "I work as
...", "as a ..."), so a phrase extractor over the participant's words plus a keyword table
(head noun of the phrase wins: "marketing manager" is Management, "data scientist" is
Computer and Mathematical) does most of the work. When no phrase is found, strong
work-context phrases across the interview ("my students", "my codebase") vote; then the
cohort's own domain (a scientists cohort) is used. Otherwise the group is ``Unclear``;
we do not guess from weak hints. A metadata role column always wins.
"""

from __future__ import annotations

import re

import pandas as pd

UNCLEAR = "Unclear"
STUDENT = "Student"
MGMT = "Management"
BIZ = "Business and Financial Operations"
COMP = "Computer and Mathematical"
ENG = "Architecture and Engineering"
SCI = "Life, Physical, and Social Science"
COMM = "Community and Social Service"
LEGAL = "Legal"
EDU = "Educational Instruction and Library"
ARTS = "Arts, Design, Entertainment, Sports, and Media"
HEALTH = "Healthcare Practitioners and Technical"
HSUP = "Healthcare Support"
PROT = "Protective Service"
FOOD = "Food Preparation and Serving Related"
CLEAN = "Building and Grounds Cleaning and Maintenance"
CARE = "Personal Care and Service"
SALES = "Sales and Related"
OFFICE = "Office and Administrative Support"
FARM = "Farming, Fishing, and Forestry"
CONSTR = "Construction and Extraction"
REPAIR = "Installation, Maintenance, and Repair"
PROD = "Production"
TRANS = "Transportation and Material Moving"
MIL = "Military Specific"

# (regex over an occupation phrase, group). Several may match; the one ending last (the
# head noun) wins, then the longest. Keep entries as job nouns, not topics.
OCCUPATION_TERMS: list[tuple[str, str]] = [
    (
        r"student|undergrad\w*|phd (student|candidate)|grad(uate)? student|master.?s student",
        STUDENT,
    ),
    (
        r"managers?|directors?|owners?|founders?|co-?founders?|ceo|cto|coo|cfo|executives?|"
        r"entrepreneurs?|head of \w+|supervisors?|vp|vice president|president|"
        r"principal investigator|business owner|proprietor|team lead|lead|"
        r"chief \w+ officer|administrators?|superintendent|"
        r"product owner|farmer|rancher|landlord|property manager|run(s|ning)? (a|an|my|"
        r"our) (\w+ ){0,3}"
        r"(business|company|shop|store|restaurant|agency|practice|firm|studio)",
        MGMT,
    ),
    (
        r"accountants?|accounting|auditors?|financial (analyst|advisor|planner)|finance|"
        r"tax \w+|tax|consultants?|consulting|business analyst|analysts?|hr|"
        r"human resources|recruit\w*|"
        r"marketing (specialist|analyst|coordinator|strategist)|marketer|marketing|compliance|"
        r"procurement|purchasing agent|event planner|underwriter|loan officer|claims adjuster|"
        r"project managers?|program coordinator|operations|logistician|grant writer",
        BIZ,
    ),
    (
        r"software|developers?|programmers?|coders?|software engineers?|data scientists?|"
        r"data analysts?|data engineers?|web developers?|it (support|specialist|technician|"
        r"administrator|manager|professional)|it|sysadmin|devops|cyber ?security|security analyst|"
        r"statisticians?|mathematicians?|qa|tester|database administrator|cloud engineer|"
        r"machine learning engineer|ml engineer|ai engineer|full[- ]stack|front[- ]end|back[- ]end|"
        r"actuary|computer scientist|game developer|game dev\w*|video game development|"
        r"bioinformatician|computational \w+",
        COMP,
    ),
    (
        r"architects?|civil engineer|mechanical engineer|electrical engineer|chemical engineer|"
        r"structural engineer|aerospace engineer|biomedical engineer|industrial engineer|"
        r"engineers?|engineering|drafter|surveyor|cad technician",
        ENG,
    ),
    (
        r"scientists?|researchers?|research assistant|research associate|postdoc\w*|"
        r"biologists?|chemists?|physicists?|psychologists?|economists?|sociologists?|"
        r"geologists?|ecologists?|epidemiologists?|neuroscientists?|astronomers?|"
        r"archaeologists?|anthropologists?|lab technician|laboratory \w+|microbiologist|"
        r"biochemist|geneticist|political scientist|urban planner|academic|phd",
        SCI,
    ),
    (
        r"social workers?|counsel(l)?ors?|case managers?|pastor|minister|chaplain|clergy|"
        r"youth worker|community (organizer|health worker|worker)|"
        r"foster (care|families)|child care providers|therapist|mental health",
        COMM,
    ),
    (
        r"lawyers?|attorneys?|paralegals?|legal (assistant|professional|counsel)|solicitor|"
        r"barrister|judge|law firm",
        LEGAL,
    ),
    (
        r"teachers?|professors?|lecturers?|tutors?|instructors?|educators?|librarians?|"
        r"teaching assistant|faculty|curriculum (designer|developer|writer)|instructional designer|"
        r"school (teacher|administrator)|principal|assistant principal|dean|"
        r"special education|sped|kindergarten|preschool teacher|coach(ing)? teachers",
        EDU,
    ),
    (
        r"writers?|authors?|novelists?|journalists?|reporters?|editors?|copywriters?|"
        r"content (creator|writer|strategist|manager)|designers?|graphic designers?|artists?|"
        r"illustrators?|photographers?|videographers?|film ?makers?|filmmaking|musicians?|"
        r"composers?|producers?|actors?|actress|animators?|game designers?|social media|"
        r"community manager|social media \w+|blogs?|copywriting|content writing|"
        r"public relations|pr|translators?|interpreters?|voice actor|"
        r"podcaster|blogger|poet|screenwriter|novelist|creative director|art director|"
        r"dancer|comedian|youtuber|streamer|singer|songwriter|painter|sculptor|ceramicist|"
        r"potter|crafter|craftsperson|tattoo artist|choreographer|stylist|fashion designer|"
        r"ux designer|ui designer|ux|creative|media|vfx|3d artist|game writer|storyteller|"
        r"coach|athlete|umpire|referee|marketing copy",
        ARTS,
    ),
    (
        r"doctors?|physicians?|nurses?|registered nurse|rn|nurse practitioner|pharmacists?|"
        r"dentists?|veterinarians?|vet|radiolog\w*|radiation therap\w*|paramedic|emt|"
        r"dietitian|nutritionist|clinicians?|surgeons?|optometrist|physical therapist|"
        r"occupational therapist|speech (language )?patholog\w*|medical coder|"
        r"health information|pharmacy technician|respiratory therapist|psychiatrist|"
        r"sonographer|medical coding|medical (doctor|professional)|healthcare (provider|"
        r"professional)",
        HEALTH,
    ),
    (
        r"medical assistant|nursing assistant|cna|home health aide|caregiver|care worker|"
        r"dental assistant|phlebotomist|massage therapist|physical therapy aide",
        HSUP,
    ),
    (
        r"police|police officer|firefighter|security guard|detective|correctional officer|"
        r"security officer|lifeguard",
        PROT,
    ),
    (
        r"chef|cook|line cook|barista|server|waiter|waitress|bartender|pizza maker|"
        r"food service|kitchen|caterer|restaurant (worker|staff)",
        FOOD,
    ),
    (
        r"janitor|custodian|landscaper|groundskeeper|cleaner|housekeeper|pest control|"
        r"cleaning business",
        CLEAN,
    ),
    (
        r"hairdresser|hair stylist|barber|cosmetologist|personal trainer|fitness (trainer|"
        r"instructor)|childcare (worker|provider)|nanny|babysitter|tour guide|funeral|"
        r"esthetician|dog (groomer|trainer)|animal (trainer|caretaker)|pet sitter|"
        r"kennel \w+|animal shelter \w+|"
        r"yoga (teacher|instructor)|life coach|wedding officiant|concierge",
        CARE,
    ),
    (
        r"sales(person|man|woman|people)?|sales (rep|representative|associate|manager)|"
        r"account executive|account manager|real estate (agent|broker)|realtor|retail|cashier|"
        r"insurance agent|car sales|business development|merchandiser|etsy (seller|shop)|"
        r"seller|reseller|vendor",
        SALES,
    ),
    (
        r"administrative assistant|admin assistant|receptionist|secretary|clerk|data entry|"
        r"customer (service|support|success)|bookkeep\w*|executive assistant|dispatcher|"
        r"scheduler|office (assistant|manager|administrator)|call cent(er|re)|"
        r"virtual assistant|coordinator|billing|payroll|help ?desk|administrative|transcription\w*",
        OFFICE,
    ),
    (r"farm ?worker|fisher\w*|forestry|agricultural worker|logger", FARM),
    (
        r"construction|carpenter|electrician|plumber|roofer|mason|contractor|welder|"
        r"builder|drywall|concrete|(heavy )?equipment operator|heavy equipment",
        CONSTR,
    ),
    (r"mechanic|hvac|repair\w*|maintenance (technician|worker)|installer|technician", REPAIR),
    (
        r"machinist|factory|manufactur\w*|assembler|seamstress|tailor|sewing|printer operator|"
        r"baker|quality (control|inspector)|production (worker|operator)|candle maker|"
        r"woodworker|jeweler|jewelry maker",
        PROD,
    ),
    (r"driver|truck driver|pilot|delivery|warehouse|forklift|courier|flight attendant", TRANS),
    (r"military|army|navy|soldier|air force|marine corps|marines|veteran officer", MIL),
]


def _split_alternatives(pattern: str) -> list[str]:
    """Top-level ``|`` alternatives, so each job term is matched on its own (a joined
    alternation would stop at "software" and never see "software engineer")."""
    parts, depth, current = [], 0, []
    for char in pattern:
        if char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        depth += (char == "(") - (char == ")")
        current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part]


_TERMS = [
    (re.compile(rf"\b(?:{term})\b", re.IGNORECASE), group)
    for pattern, group in OCCUPATION_TERMS
    for term in _split_alternatives(pattern)
]

_SELF_INTRO = re.compile(
    r"\b(?:(?:i.?m|i am|i.?ve been|i have been|i was)(?:\s+(?:currently|also|now|actually|"
    r"primarily|mainly|just|still|basically|working as))?\s+(?:an?|the)|"
    r"i work as(?: an?| the)?|working as(?: an?| the)?|i was hired as(?: an?| the)?|"
    r"my (?:job|role|position|title|profession|career) (?:is|as)(?: an?| the)?|"
    r"i currently work as(?: an?| the)?|in my (?:role|job|work|position) as(?: an?| the)?|"
    r"as (?:an?|the))"
    r"\s+(?P<phrase>[^.,;:!?\n()]{2,90})",
    re.IGNORECASE,
)
_WORK_IN = re.compile(
    r"\b(?:i (?:work|am working|worked) (?:in|at|for|on)|i.?m in|i am in) "
    r"(?P<phrase>[^.,;:!?\n()]{3,70})",
    re.IGNORECASE,
)
_OWNER = re.compile(
    r"\b(?:i (?:own|run|operate|co-own|started|founded)(?: and (?:run|operate|manage))?|"
    r"the (?:business|company) i (?:own|run)(?: is)?) (?:a |an |my |our |the )?"
    r"(?P<phrase>[^.,;:!?\n()]{2,60}?\b(?:business|company|shop|store|restaurant|agency|"
    r"practice|firm|studio|bakery|cafe|farm|brand|startup|start-up)\b)",
    re.IGNORECASE,
)
_PHRASE_STOP = re.compile(
    r"\s(?:and i|who|which|that|so|because|where|but|when|i|we|my job|and use|and have|"
    r"to|it|using|by|since|with ai)\s",
    re.IGNORECASE,
)
MAX_WORDS_BEFORE_HEAD = 4
# Phrases that say what people work on, used when nobody states a job title.
WORK_CONTEXT_HINTS: list[tuple[str, str]] = [
    (
        r"\bmy (students|classroom|class(es)?|pupils|lesson plans?|syllabus|course)\b|"
        r"\blesson plan|\bi teach\b|\bkids i teach",
        EDU,
    ),
    (
        r"\b(codebase|code|coding|programming|software development|pull requests?|debugging|"
        r"python|javascript|sql|kubernetes|api|scripts?|data pipelines?|cloud platform)\b",
        COMP,
    ),
    (
        r"\b(my (research|lab|experiments?|thesis|dissertation|grant|study|studies|field work)|"
        r"experiments?|manuscripts?|peer review|hypothes[ie]s|publications?|journals?)\b",
        SCI,
    ),
    (r"\bmy (patients|clinic|practice)\b|\b(icd-?10|medical coding|health records?)\b", HEALTH),
    (r"\b(engineering|cad|prototyp\w*|mechanical design)\b", ENG),
    (
        r"\b(my (novel|book|manuscript|art|artwork|music|songs?|illustrations?|paintings?|"
        r"designs?|photography|photos|films?|scripts?|stories|poems?|poetry|album|characters?)|"
        r"creative writing|worldbuilding|world building)\b",
        ARTS,
    ),
    (
        r"\bmy (clients'? (cases?|matters?)|case law)\b|\blegal (research|briefs?|documents)\b",
        LEGAL,
    ),
    (r"\bmy (customers|sales|leads|quota|pipeline)\b", SALES),
    (r"\bmy (shop|store|business|company|employees)\b", MGMT),
]
_HINTS = [(re.compile(p, re.IGNORECASE), g) for p, g in WORK_CONTEXT_HINTS]
MIN_HINT_VOTES = 2
COHORT_DEFAULTS = {"scientists": SCI, "science": SCI, "creatives": ARTS, "creativity": ARTS}
"""A cohort recruited from one domain: its members are in that domain unless they say
otherwise (the public Anthropic Interviewer scientists and creatives samples)."""


def group_for_phrase(phrase: str) -> tuple[str, tuple[int, int] | None]:
    """The SOC major group named by an occupation phrase, and the span of its head term."""
    best: tuple[int, int, str] | None = None
    for pattern, group in _TERMS:
        for match in pattern.finditer(phrase):
            candidate = (match.end(), match.end() - match.start(), group)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    if best is None:
        return UNCLEAR, None
    end, length, group = best
    return group, (end - length, end)


def _trim_phrase(raw: str) -> str:
    stop = _PHRASE_STOP.search(f" {raw} ")
    return (raw[: max(stop.start() - 1, 0)] if stop else raw).strip(" -–—'\"")


_MODIFIER_END = re.compile(
    r"\s(?:at|in|for|with|of|on|who|primarily|mainly|mostly|and|from|within)\s|\s\w+ing\b"
)


def _head_group(phrase: str) -> tuple[str, tuple[int, int] | None]:
    """Group of the job noun before any "at/in/for ..." tail or verb ("engineer in a
    manufacturing plant" is an engineer; "psychologist completing mental health ..." a
    psychologist); the whole phrase is the fallback."""
    for cut in _MODIFIER_END.finditer(phrase):
        group, span = group_for_phrase(phrase[: cut.start()])
        if span is not None:
            return group, span
    return group_for_phrase(phrase)


def _candidate(phrase: str, require_head_early: bool) -> tuple[str, str] | None:
    phrase = _trim_phrase(phrase)
    if not phrase:
        return None
    group, span = _head_group(phrase)
    if span is None:
        return None
    words_before = len(phrase[: span[0]].split())
    if require_head_early and words_before > MAX_WORDS_BEFORE_HEAD:
        return None
    occupation = phrase[: span[1]].strip()
    tail = phrase[span[1] :].strip()
    tail_match = re.match(
        r"^((?:at|in|for|of|with) (?:an? |the |my )?\w[\w-]*(?: \w[\w-]*){0,3})", tail
    )
    if tail_match and len(occupation.split()) < 6:
        occupation = f"{occupation} {tail_match.group(1)}"
    return " ".join(occupation.split()), group


def occupation_from_answers(answers: list[str]) -> tuple[str, str, str]:
    """(occupation phrase, group, evidence sentence) from a participant's answers in order;
    empty phrase and Unclear when no answer states a job."""
    for answer in answers:
        owner = _OWNER.search(answer)
        if owner:
            occupation = f"owner of a {' '.join(owner.group('phrase').split())}"
            return occupation, MGMT, _sentence_around(answer, owner.start())
        for pattern, early in ((_SELF_INTRO, True), (_WORK_IN, True)):
            for match in pattern.finditer(answer):
                found = _candidate(match.group("phrase"), early)
                if found:
                    return found[0], found[1], _sentence_around(answer, match.start())
    return "", UNCLEAR, ""


def _sentence_around(text: str, position: int) -> str:
    start = max(text.rfind(". ", 0, position), text.rfind("\n", 0, position))
    ends = [i for i in (text.find(". ", position), text.find("\n", position)) if i != -1]
    end = min(ends) + 1 if ends else len(text)
    return text[start + 1 : end].strip()


def group_from_hints(answers: list[str]) -> str:
    """The group whose work-context phrases recur in the interview, if one clearly does."""
    votes: dict[str, int] = {}
    for answer in answers:
        for pattern, group in _HINTS:
            votes[group] = votes.get(group, 0) + len(pattern.findall(answer))
    if not votes:
        return UNCLEAR
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    top_group, top = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    return top_group if top >= MIN_HINT_VOTES and top > runner_up else UNCLEAR


def role_from_metadata(text: str) -> tuple[str, str]:
    """A metadata role: an exact group name is taken as is, free text is mapped."""
    cleaned = " ".join(str(text).split())
    for _pattern, group in _TERMS:
        if cleaned.lower() == group.lower():
            return cleaned, group
    if cleaned.lower() in (STUDENT.lower(), UNCLEAR.lower()):
        return cleaned, cleaned.capitalize()
    group, _span = group_for_phrase(cleaned)
    return cleaned, group


def infer_roles(
    segments: pd.DataFrame, transcripts: pd.DataFrame, *, role_column: str | None = None
) -> pd.DataFrame:
    """One row per transcript: transcript_id, occupation, occupation_group, role_source
    ("metadata" | "inferred" | "none") and role_evidence (the sentence it came from)."""
    answers_by_id: dict[str, list[str]] = {}
    if len(segments):
        ordered = segments.sort_values(["transcript_id", "segment_index"])
        for tid, answer in zip(ordered["transcript_id"], ordered["answer"], strict=True):
            answers_by_id.setdefault(str(tid), []).append("" if pd.isna(answer) else str(answer))
    cohorts = (
        transcripts["cohort"].astype(str).tolist()
        if "cohort" in transcripts.columns
        else [""] * len(transcripts)
    )
    metadata = (
        transcripts[role_column].tolist()
        if role_column and role_column in transcripts.columns
        else [None] * len(transcripts)
    )
    rows = []
    for tid, cohort, meta in zip(
        transcripts["transcript_id"].astype(str), cohorts, metadata, strict=True
    ):
        if meta is not None and not pd.isna(meta) and str(meta).strip():
            occupation, group = role_from_metadata(str(meta))
            rows.append((tid, occupation, group, "metadata", ""))
            continue
        answers = answers_by_id.get(tid, [])
        occupation, group, evidence = occupation_from_answers(answers)
        if group == UNCLEAR:
            group = group_from_hints(answers)
        if group == UNCLEAR:
            group = COHORT_DEFAULTS.get(cohort.lower(), UNCLEAR)
        source = "inferred" if group != UNCLEAR else "none"
        rows.append((tid, occupation, group, source, evidence))
    return pd.DataFrame(
        rows,
        columns=["transcript_id", "occupation", "occupation_group", "role_source", "role_evidence"],
    )
