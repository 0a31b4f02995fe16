"""A small, realistic hand-made ``AnalysisResult`` for the page tests.

Twelve participants in three cohorts (workforce 6, creatives 4, scientists 2), so a
minimum group size of 5 hides the scientists and a size of 2 shows them. One participant
answers with hostile markup (script tag, image beacon, javascript link) so the tests can
prove that user text is never rendered as HTML or markdown.
"""

from __future__ import annotations

import pandas as pd

from analysis.results import AnalysisResult

HOSTILE_ANSWER = (
    "<script>alert(1)</script> I paste <img src=x onerror=alert(2)> into "
    "[x](javascript:alert(3)) and ![](http://tracker/p.png) every day to save time."
)
HOSTILE_ID = "work_006"

CODEBOOK = [
    ("trigger.wording", "trigger", "Wording help", "Needs help phrasing text."),
    ("trigger.ideation", "trigger", "Ideation", "Needs ideas or a way past a block."),
    ("trigger.time_pressure", "trigger", "Time pressure", "Deadlines, volume, tedium."),
    ("trigger.technical_problem", "trigger", "Technical problem", "Code, formulas, tools."),
    ("trigger.knowledge_gap", "trigger", "Knowledge gap", "Unfamiliar topic, research."),
    ("pattern.delegation", "pattern", "Delegation", "Hands a whole task to AI."),
    ("pattern.draft_then_edit", "pattern", "Draft then edit", "Reworks an AI draft."),
    ("pattern.sounding_board", "pattern", "Sounding board", "Thinks a problem through."),
    ("pattern.verification", "pattern", "Verification", "Checks AI output."),
    ("culture.encouraged", "culture", "Encouraged", "Employer promotes AI."),
    ("culture.restricted", "culture", "Restricted", "AI banned or blocked."),
    ("culture.stigma", "culture", "Stigma", "Hides use, fears judgement."),
    ("culture.peer_sharing", "culture", "Peer sharing", "Colleagues share tips."),
    ("outcome.saves_time", "outcome", "Saves time", "Faster, more productive."),
    ("outcome.quality_gain", "outcome", "Quality gain", "Better work."),
    ("outcome.reliability_concern", "outcome", "Reliability concern", "Errors, trust."),
    ("outcome.job_concern", "outcome", "Job concern", "Worries about jobs."),
]

TOPICS = {
    0: ("Emails and client messages", ["email", "tone", "client", "message"]),
    1: ("Debugging code and spreadsheets", ["code", "bug", "formula", "script"]),
    2: ("Literature and research summaries", ["paper", "summary", "literature", "data"]),
    3: ("Company rules on AI", ["policy", "allowed", "manager", "rules"]),
    -1: ("Outliers", ["just", "really", "think"]),
}

QUESTIONS = [
    "Could you walk me through a recent time you used AI at work?",
    "What made you reach for AI in that moment?",
    "How does your workplace feel about using AI?",
]

# transcript id, cohort, occupation, group, seniority, [(topic, answer, {code: evidence})]
PEOPLE: list[tuple[str, str, str, str, str, list[tuple[int, str, dict[str, str]]]]] = [
    ("work_001", "workforce", "account manager", "Sales and Related", "senior", [
        (0, "I draft client emails with it and then rewrite them so they sound like me.",
         {"trigger.wording": "I draft client emails with it",
          "pattern.draft_then_edit": "then rewrite them so they sound like me"}),
        (0, "Monday mornings I have forty messages and no time, so it goes faster.",
         {"trigger.time_pressure": "forty messages and no time",
          "outcome.saves_time": "so it goes faster"}),
        (3, "My manager pushed us to try Copilot and we got a training day.",
         {"culture.encouraged": "we got a training day"}),
    ]),
    ("work_002", "workforce", "financial analyst", "Business and Financial Operations",
     "junior", [
        (1, "When a spreadsheet formula breaks I paste it in and ask what is wrong.",
         {"trigger.technical_problem": "When a spreadsheet formula breaks"}),
        (1, "I always check the numbers again because it has been wrong before.",
         {"pattern.verification": "I always check the numbers again",
          "outcome.reliability_concern": "it has been wrong before"}),
        (3, "Compliance blocked the public tools, we only have the internal one.",
         {"culture.restricted": "Compliance blocked the public tools"}),
    ]),
    ("work_003", "workforce", "software developer", "Computer and Mathematical", "senior", [
        (1, "I let it write the boilerplate tests and I barely touch them.",
         {"pattern.delegation": "I let it write the boilerplate tests",
          "trigger.time_pressure": "boilerplate"}),
        (1, "Debugging a stack trace is where it shines, it saves me an hour a day.",
         {"trigger.technical_problem": "Debugging a stack trace",
          "outcome.saves_time": "it saves me an hour a day"}),
        (3, "Everyone on my team shares prompts in a channel.",
         {"culture.peer_sharing": "Everyone on my team shares prompts"}),
    ]),
    ("work_004", "workforce", "HR coordinator", "Office and Administrative Support",
     "junior", [
        (0, "I use it to soften the tone of difficult messages to staff.",
         {"trigger.wording": "soften the tone of difficult messages"}),
        (3, "I do not tell my boss, people here think it is cheating.",
         {"culture.stigma": "people here think it is cheating"}),
        (-1, "Honestly I worry that my job will be automated in a few years.",
         {"outcome.job_concern": "my job will be automated"}),
    ]),
    ("work_005", "workforce", "nurse educator", "Healthcare Practitioners and Technical",
     "senior", [
        (2, "I ask it to explain new guidelines before I teach them.",
         {"trigger.knowledge_gap": "explain new guidelines"}),
        (2, "I check every clinical fact against the source, it makes things up.",
         {"pattern.verification": "I check every clinical fact",
          "outcome.reliability_concern": "it makes things up"}),
        (3, "The hospital is cautious, no patient data goes in.",
         {"culture.restricted": "no patient data goes in"}),
    ]),
    (HOSTILE_ID, "workforce", "marketing specialist", "Sales and Related", "junior", [
        (0, HOSTILE_ANSWER, {"outcome.saves_time": HOSTILE_ANSWER}),
        (0, "=HYPERLINK(\"http://x\") is what a colleague typed as a joke prompt.",
         {"trigger.ideation": "a joke prompt"}),
        (3, "We swap prompts at lunch, it is very open.",
         {"culture.peer_sharing": "We swap prompts at lunch"}),
    ]),
    ("creat_001", "creatives", "illustrator", "Arts, Design, Entertainment, Sports, and Media",
     "senior", [
        (-1, "When I am stuck I ask for twenty odd ideas and throw most away.",
         {"trigger.ideation": "ask for twenty odd ideas",
          "pattern.sounding_board": "throw most away"}),
        (-1, "I would never let it draw for me, that is my craft.",
         {"outcome.job_concern": "that is my craft"}),
        (3, "Clients ask if I used AI and some would walk away.",
         {"culture.stigma": "some would walk away"}),
    ]),
    ("creat_002", "creatives", "copywriter", "Arts, Design, Entertainment, Sports, and Media",
     "junior", [
        (0, "It gives me a rough first draft of a slogan and I rework it completely.",
         {"pattern.draft_then_edit": "I rework it completely",
          "trigger.ideation": "a rough first draft of a slogan"}),
        (0, "The final copy is better than what I would write alone.",
         {"outcome.quality_gain": "better than what I would write alone"}),
        (3, "The agency bought licences for everyone.",
         {"culture.encouraged": "bought licences for everyone"}),
    ]),
    ("creat_003", "creatives", "musician", "Arts, Design, Entertainment, Sports, and Media",
     "senior", [
        (-1, "I talk through song structure with it like a bandmate.",
         {"pattern.sounding_board": "like a bandmate", "trigger.ideation": "song structure"}),
        (2, "It summarises music theory papers I would never finish.",
         {"trigger.knowledge_gap": "music theory papers"}),
        (-1, "Streaming already squeezed us, this could finish the job.",
         {"outcome.job_concern": "this could finish the job"}),
    ]),
    ("creat_004", "creatives", "video editor", "Arts, Design, Entertainment, Sports, and Media",
     "junior", [
        (1, "It writes little scripts that rename my footage.",
         {"trigger.technical_problem": "writes little scripts",
          "pattern.delegation": "rename my footage"}),
        (1, "That used to take an afternoon, now it is ten minutes.",
         {"outcome.saves_time": "now it is ten minutes"}),
        (3, "Nobody in the studio talks about it much.", {}),
    ]),
    ("sci_001", "scientists", "biologist", "Life, Physical, and Social Science", "senior", [
        (2, "I feed it a stack of papers and ask for the key findings.",
         {"trigger.knowledge_gap": "ask for the key findings"}),
        (2, "Then I verify every citation because half were invented.",
         {"pattern.verification": "I verify every citation",
          "outcome.reliability_concern": "half were invented"}),
        (1, "It also fixes my R plotting code.",
         {"trigger.technical_problem": "fixes my R plotting code"}),
    ]),
    ("sci_002", "scientists", "physicist", "Life, Physical, and Social Science", "junior", [
        (1, "I use it to vectorise simulation code and it is much quicker.",
         {"trigger.technical_problem": "vectorise simulation code",
          "outcome.saves_time": "it is much quicker"}),
        (2, "It is a decent sparring partner for ideas about the analysis.",
         {"pattern.sounding_board": "sparring partner for ideas"}),
        (3, "Our lab encourages it, the PI uses it every day.",
         {"culture.encouraged": "the PI uses it every day"}),
    ]),
]


def build_result() -> AnalysisResult:
    """Assemble the fixture into the frames ``AnalysisResult`` promises."""
    codebook = pd.DataFrame(CODEBOOK, columns=["code", "facet", "label", "description"])
    transcripts, turns, segments, participants, assignments = [], [], [], [], []
    for person_index, (tid, cohort, occupation, group, seniority, answers) in enumerate(PEOPLE):
        transcript_turns = [(0, "AI", "interviewer", "Hello! Thanks for joining today.")]
        owned: set[str] = set()
        for index, (topic, answer, codes) in enumerate(answers):
            q_turn = len(transcript_turns)
            transcript_turns.append((q_turn, "AI", "interviewer", QUESTIONS[index]))
            transcript_turns.append((q_turn + 1, "User", "participant", answer))
            segments.append({
                "transcript_id": tid, "segment_index": index, "turn_index": q_turn + 1,
                "question": QUESTIONS[index], "answer": answer, "question_turn": QUESTIONS[index],
                "topic_id": topic, "topic_label": TOPICS[topic][0],
                "x": float(topic * 3 + (person_index % 4) * 0.4),
                "y": float((topic % 2) * 3 + index * 0.5),
                "codes": ";".join(codes),
            })
            for code, evidence in codes.items():
                owned.add(code)
                assignments.append({
                    "transcript_id": tid, "segment_index": index, "code": code,
                    "confidence": round(0.9 - 0.05 * (person_index % 5), 2),
                    "evidence": evidence,
                })
        turns.extend(
            {"transcript_id": tid, "turn_index": i, "speaker": s, "role": r, "text": t}
            for i, s, r, t in transcript_turns
        )
        transcripts.append({
            "transcript_id": tid, "cohort": cohort, "source_file": f"{cohort}.csv",
            "n_turns": len(transcript_turns), "n_participant_turns": len(answers),
            "encoding": "utf-8", "attr.seniority": seniority,
        })
        row = {"transcript_id": tid, "cohort": cohort, "occupation": occupation,
               "occupation_group": group}
        row.update({code: int(code in owned) for code, *_ in CODEBOOK})
        row["attr.seniority"] = seniority
        participants.append(row)
    segments_frame = pd.DataFrame(segments)
    topic_rows = []
    for topic_id, (label, words) in TOPICS.items():
        answers = segments_frame.loc[segments_frame["topic_id"] == topic_id, "answer"]
        topic_rows.append({"topic_id": topic_id, "label": label, "size": len(answers),
                           "top_words": ", ".join(words),
                           "representative_quotes": list(answers.head(2))})
    files = pd.DataFrame([
        {"file": "workforce.csv", "status": "parsed", "transcripts": 6, "reason": ""},
        {"file": "creatives.csv", "status": "parsed", "transcripts": 4, "reason": ""},
        {"file": "scientists.csv", "status": "parsed", "transcripts": 2, "reason": ""},
    ])
    return AnalysisResult(
        files=files,
        transcripts=pd.DataFrame(transcripts),
        turns=pd.DataFrame(turns),
        segments=segments_frame,
        topics=pd.DataFrame(topic_rows),
        participants=pd.DataFrame(participants),
        assignments=pd.DataFrame(assignments),
        codebook=codebook,
        run={"project": "fixture"},
    )
