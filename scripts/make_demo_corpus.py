"""Render the bundled demo project's synthetic interviews into transcript files.

WHY a generator: the demo corpus must look like a real study batch (the Anthropic
Interviewer shape, plus a few other export shapes the ingester reads) while every
participant answer is written by hand. The answers live in ``demo/source/<cohort>.txt``
(one block per persona, plain prose, no line-length limits); this script adds the
interviewer's side — an opening, questions that follow the study's arc, short
acknowledgements — and writes one file per interview under ``demo/transcripts/<cohort>/``.
Everything is deterministic (choices are keyed by persona id), so rerunning it reproduces
the committed files byte for byte.

Persona block format::

    === demo_work_01 | txt            # id | txt, md, jsonl or otter[:Speaker Name]
    > consent                          # a stage key from QUESTIONS ...
    Sounds good.
    > ? Free-form follow-up question?  # ... or a literal follow-up question
    The participant's answer, one or more paragraphs.

Usage: ``python scripts/make_demo_corpus.py`` (writes) or ``--check`` (exit 1 if stale).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR = ROOT / "demo" / "source"
OUT_DIR = ROOT / "demo" / "transcripts"
COHORTS = ("workforce", "creatives", "scientists")

OPENINGS = {
    "workforce": [
        "Hello, and thanks for making time for this. I'm an interviewer working with a small "
        "research team that studies how people bring AI tools into their day-to-day jobs.\n\n"
        "I'll ask about your work, the moments you reach for AI, how your workplace treats it, "
        "and what it has changed for you. There are no right answers, and nothing you say will "
        "be tied to your name. It should take about fifteen minutes.\n\n"
        "Is that all right with you? Anything you'd like to ask before we start?",
        "Hi, thank you for joining. We're talking to people in many kinds of jobs about how "
        "AI tools do or don't fit into their work. I'm interested in your own experience, "
        "including the parts that haven't gone well.\n\n"
        "Your answers are anonymous and we'll keep this to roughly fifteen minutes. Shall we "
        "begin?",
    ],
    "creatives": [
        "Hi, and thank you for talking with me. This study looks at how people who make "
        "creative work - writing, images, music, games, design - relate to AI tools, whether "
        "they use them or deliberately don't.\n\n"
        "I'll ask about your practice, when AI comes into it, how your clients and peers see "
        "it, and how you feel about where things are going. Nothing will be attributed to you. "
        "Does that sound okay?",
        "Hello! Thanks for agreeing to this conversation. We're interviewing artists, writers "
        "and designers about AI in their creative process. Honest answers are the most useful "
        "ones, including scepticism.\n\n"
        "It will take about fifteen minutes and stays anonymous. Ready when you are - any "
        "questions first?",
    ],
    "scientists": [
        "Hello, and thanks for taking part. We're studying how researchers use AI across the "
        "research cycle - reading, designing studies, analysis, writing - and where they "
        "choose not to.\n\n"
        "I'll ask you to walk me through some recent work and your experiences, good and bad. "
        "Everything is anonymous and it should take about fifteen minutes. Is that okay?",
        "Hi, thank you for making the time. This is part of a study of AI in scientific work. "
        "I'd like to hear about your research, the places AI shows up in it, and how your lab "
        "or institution handles it.\n\n"
        "There are no right answers and your name won't be attached to anything. Shall we "
        "start?",
    ],
}

QUESTIONS: dict[str, list[str]] = {
    "role": [
        "To start, could you tell me what you do for work and where AI tools fit into a "
        "typical day?",
        "Let's begin with your job. What does your work involve, and how does AI show up in "
        "it, if at all?",
    ],
    "example": [
        "Can you walk me through a recent, specific time you used AI for work? What happened, "
        "step by step?",
        "Think of the last time you used an AI tool for something work-related. What was the "
        "task and how did it go?",
    ],
    "when": [
        "What usually makes you reach for AI rather than doing the thing yourself? What is "
        "going on in those moments?",
        "When do you decide to bring AI in? Are there particular situations or feelings that "
        "trigger it?",
    ],
    "how": [
        "How do you actually work with it? For example, do you hand things off, take a draft "
        "and rework it, go back and forth, or use it to think out loud?",
        "Describe how a typical exchange with the AI goes for you. Do you accept what it "
        "gives you, edit it, keep refining, or something else?",
    ],
    "verify": [
        "How do you decide whether you can trust what it gives you?",
        "What do you do to check its output before you use it, if anything?",
    ],
    "policy": [
        "What is your workplace's stance on AI? Are there policies, rules, training or "
        "encouragement?",
        "How does your organisation handle AI use - is it encouraged, restricted, or just not "
        "talked about?",
    ],
    "colleagues": [
        "What about your colleagues - do you know how they use it, and do people talk about "
        "it openly?",
        "How do the people around you feel about AI? Is using it something people share or "
        "keep quiet about?",
    ],
    "keep": [
        "Are there parts of your work you deliberately keep for yourself, even though AI could "
        "help? Why those?",
        "Is there anything you would never hand to an AI? What makes those tasks different?",
    ],
    "effects": [
        "Overall, what has AI changed for you - your time, the quality of your work, how you "
        "feel about the job?",
        "How has using AI affected your work in practice, for better or worse?",
    ],
    "frustrations": [
        "Have there been times it let you down or frustrated you? What happened?",
        "What are the downsides or frustrations you have run into?",
    ],
    "future": [
        "Looking ahead, how do you see your role changing as these tools improve? Does any of "
        "it worry you?",
        "Where do you think your job is heading with AI, and how do you feel about that?",
    ],
    "closing": [
        "That's everything I wanted to ask. Is there anything else you'd like to add that we "
        "haven't covered?",
        "We're almost out of time. Anything you want to say that I didn't ask about?",
    ],
    "consent": [],
}
SCIENCE_QUESTIONS = {
    "role": [
        "To start, what is your field, and could you walk me through a recent research project "
        "from the initial idea to the output?",
        "Tell me about your research: what do you work on, and where in that process does AI "
        "come in?",
    ],
    "example": [
        "Can you describe a specific recent moment in that project where you used an AI tool? "
        "What did you ask and what did you do with the answer?",
    ],
}
CREATIVE_QUESTIONS = {
    "role": [
        "To begin, tell me about your creative work. What do you make, and how does AI fit "
        "into your process, if it does?",
        "What kind of creative work do you do, and where, if anywhere, has AI come into it?",
    ],
    "keep": [
        "Which parts of your creative process do you keep entirely your own? Why those?",
    ],
}
ACKS = [
    "Thank you, that's helpful.",
    "That makes sense.",
    "I appreciate you sharing that.",
    "That's a clear picture, thank you.",
    "Interesting.",
    "Thanks - that's useful context.",
    "Okay, I see.",
    "",
]
THANKS = (
    "Thank you so much for your time and for being so candid. This has been really valuable "
    "for our research."
)


@dataclass(slots=True)
class Persona:
    """One synthetic participant: id, cohort, output shape and ordered (stage, answer) pairs."""

    persona_id: str
    cohort: str
    shape: str
    speaker: str = ""
    answers: list[tuple[str, str]] = field(default_factory=list)


def _pick(options: list[str], key: str) -> str:
    """Deterministic choice keyed by text (stable across runs, unlike ``hash``)."""
    digest = hashlib.sha256(key.encode()).digest()
    return options[digest[0] % len(options)]


def parse_personas(text: str, cohort: str) -> list[Persona]:
    """Parse one ``demo/source/<cohort>.txt`` file into personas."""
    personas: list[Persona] = []
    stage: str | None = None
    buffer: list[str] = []

    def flush() -> None:
        if stage is not None and personas:
            answer = "\n".join(buffer).strip()
            if not answer:
                raise ValueError(f"{personas[-1].persona_id}: empty answer for {stage!r}")
            personas[-1].answers.append((stage, answer))

    for line in text.splitlines():
        if line.startswith("=== "):
            flush()
            stage, buffer = None, []
            pid, _, shape = (part.strip() for part in line[4:].partition("|"))
            shape, _, speaker = shape.partition(":")
            personas.append(Persona(pid, cohort, shape or "txt", speaker))
        elif line.startswith("> "):
            flush()
            stage, buffer = line[2:].strip(), []
        elif line.startswith("#"):
            continue
        else:
            buffer.append(line)
    flush()
    return personas


def _question(persona: Persona, stage: str, position: int) -> str:
    if stage.startswith("?"):
        question = stage[1:].strip()
    else:
        bank = QUESTIONS[stage]
        if persona.cohort == "scientists":
            bank = SCIENCE_QUESTIONS.get(stage, bank)
        elif persona.cohort == "creatives":
            bank = CREATIVE_QUESTIONS.get(stage, bank)
        question = _pick(bank, persona.persona_id + stage)
    if position == 0:
        return question
    ack = _pick(ACKS, persona.persona_id + str(position))
    return f"{ack}\n\n{question}" if ack else question


CONSENTS = ["Sure, go ahead.", "Sounds good.", "Yes, that's fine.", "Okay, ready."]
STARTERS = ["Great, let's get started.", "Wonderful. Let's begin.", "Perfect."]


def dialogue(persona: Persona) -> list[tuple[str, str]]:
    """The interview as ordered (role, text) pairs: 'interviewer' or 'participant'."""
    turns = [("interviewer", _pick(OPENINGS[persona.cohort], persona.persona_id))]
    answers = persona.answers
    if answers and answers[0][0] == "consent":
        turns.append(("participant", answers[0][1]))
        answers = answers[1:]
    else:
        turns.append(("participant", _pick(CONSENTS, persona.persona_id)))
    for position, (stage, answer) in enumerate(answers):
        question = _question(persona, stage, position)
        if position == 0:
            question = f"{_pick(STARTERS, persona.persona_id)}\n\n{question}"
        turns.append(("interviewer", question))
        turns.append(("participant", answer))
    turns.append(("interviewer", THANKS))
    return turns


def _timestamp(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def render(persona: Persona) -> tuple[str, str]:
    """(file name, file text) in the persona's export shape."""
    turns = dialogue(persona)
    if persona.shape == "jsonl":
        lines = [
            json.dumps({"role": "assistant" if role == "interviewer" else "user", "content": t})
            for role, t in turns
        ]
        return f"{persona.persona_id}.jsonl", "\n".join(lines) + "\n"
    if persona.shape == "otter":
        name = persona.speaker or "Speaker 2"
        clock, blocks = 3, []
        for role, text in turns:
            label = "Interviewer" if role == "interviewer" else name
            blocks.append(f"{label}  {_timestamp(clock)}\n{text}")
            clock += 8 + len(text.split()) * 60 // 150
        return f"{persona.persona_id}.txt", "\n\n".join(blocks) + "\n"
    body = [
        f"{'Assistant' if i == 0 else ('AI' if role == 'interviewer' else 'User')}: {text}"
        for i, (role, text) in enumerate(turns)
    ]
    text = "\n\n".join(body) + "\n"
    if persona.shape == "md":
        number = "".join(ch for ch in persona.persona_id if ch.isdigit())
        header = f"# Dialog {number}\n\n**Transcript ID:** {persona.persona_id}\n\n---\n\n"
        return f"{persona.persona_id}.md", header + text
    return f"{persona.persona_id}.txt", text


def load_personas() -> list[Persona]:
    personas: list[Persona] = []
    for cohort in COHORTS:
        source = SOURCE_DIR / f"{cohort}.txt"
        personas.extend(parse_personas(source.read_text(encoding="utf-8"), cohort))
    ids = [p.persona_id for p in personas]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate persona ids: {sorted(duplicates)}")
    return personas


def expected_files() -> dict[Path, str]:
    return {
        OUT_DIR / persona.cohort / name: text
        for persona in load_personas()
        for name, text in [render(persona)]
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if files are stale")
    args = parser.parse_args(argv)
    files = expected_files()
    existing = {p for c in COHORTS for p in (OUT_DIR / c).glob("*") if p.is_file()}
    stale = sorted(
        str(p.relative_to(ROOT))
        for p, text in files.items()
        if not p.is_file() or p.read_text(encoding="utf-8") != text
    ) + sorted(str(p.relative_to(ROOT)) for p in existing - set(files))
    if args.check:
        for name in stale:
            print(f"stale: {name}")
        return 1 if stale else 0
    for path in existing - set(files):
        path.unlink()
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} transcripts to {OUT_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
