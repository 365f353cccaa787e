"""The triage flow as a Mermaid diagram, generated from intents/ (the README shows it)."""

from __future__ import annotations

from assistant.core.content import OUTCOME, Content


def mermaid(content: Content) -> str:
    """A Mermaid flowchart: one node per question, an edge per answer, dispositions raised."""
    lines = ["flowchart TD"]
    for q in content.questions:
        label = content.text(q.ask)[0].replace('"', "'")
        lines.append(f'    {q.id}["{q.id}: {label}"]')
    lines.append(f'    {OUTCOME}(["outcome: advice, what to watch for, summary"])')
    for q in content.questions:
        for answer, branch in q.on.items():
            tag = answer
            if branch.raises:
                tag += f" -> {branch.raises}"
            if answer == "unsure" and q.warning:
                tag += f" (twice, or no answer) -> {q.if_unsure}"
            lines.append(f"    {q.id} -->|{tag}| {branch.next}")
    return "\n".join(lines) + "\n"
