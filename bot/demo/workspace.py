"""The demo's simulated ministry: who works there and what they asked the SG for."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.sandbox import SandboxUser

OWNERS = (
    SandboxUser("U0SGQUAL", "Mission qualité du SG", "qualite.sg@finances.gouv.fr"),
    SandboxUser("U0RH0QUAL", "Claire Martin (RH)", "claire.martin@finances.gouv.fr"),
    SandboxUser("U0LOG0QUAL", "Karim Haddad (Logistique)", "karim.haddad@finances.gouv.fr"),
    SandboxUser("U0SI0QUAL", "Sophie Lefèvre (SI)", "sophie.lefevre@finances.gouv.fr"),
    SandboxUser("U0COM0QUAL", "Julien Moreau (Communication)", "julien.moreau@finances.gouv.fr"),
    SandboxUser("U0FIN0QUAL", "Nathalie Roux (Finances)", "nathalie.roux@finances.gouv.fr"),
)

IT_OWNER = "U0SI0QUAL"
IT_OWNER_NAME = "Sophie Lefèvre (SI)"

_AGENT_NAMES = (
    "Camille Dubois", "Lucas Bernard", "Emma Petit", "Hugo Durand", "Léa Laurent",
    "Thomas Simon", "Chloé Michel", "Nicolas Garcia", "Manon David", "Antoine Bertrand",
    "Inès Robert", "Mathieu Richard", "Sarah Fontaine", "Paul Girard", "Julie Bonnet",
    "Maxime Lambert", "Laura Faure", "Alexandre Rousseau", "Pauline Blanc", "Romain Guerin",
)  # fmt: skip
ENGLISH_SPEAKERS = {"Sarah Fontaine", "Paul Girard"}


def _agent(index: int, name: str) -> SandboxUser:
    first, last = name.lower().replace("é", "e").replace("è", "e").replace("ï", "i").split()
    locale = "en-GB" if name in ENGLISH_SPEAKERS else "fr-FR"
    return SandboxUser(f"U0AGENT{index:02d}", name, f"{first}.{last}@finances.gouv.fr", locale)


AGENTS = tuple(_agent(i + 1, name) for i, name in enumerate(_AGENT_NAMES))
DEPARTED = SandboxUser("U0GONE01", "Ancien agent", "ancien.agent@finances.gouv.fr", deleted=True)
_CROWD_FIRST = ("Alice", "Bruno", "Céline", "David", "Élise", "Fabien", "Gaëlle", "Henri")
_CROWD_LAST = ("Morel", "Fournier", "Girard", "André", "Mercier", "Blanchard", "Roussel", "Henry")
# Sixty-four more colleagues whose answers give the scores enough respondents; not transcribed.
CROWD = tuple(
    SandboxUser(f"U0CROWD{i:02d}", f"{first} {last}", f"crowd{i:02d}@finances.gouv.fr")
    for i, (first, last) in enumerate(((f, n) for n in _CROWD_LAST for f in _CROWD_FIRST), start=1)
)
USERS = (*OWNERS, *AGENTS, *CROWD, DEPARTED)

# How each service line is doing this month, as its beneficiaries would answer.
MOODS = {"RH": 0.75, "LOG": 0.8, "SI": 0.1, "COMM": 0.85, "FIN": 0.6}
# fmt: off
REQUESTS = {
    "SI": ("glpi", "INC", ("Poste bloqué au démarrage", "Accès VPN refusé",
                           "Imprimante hors service")),
    "RH": ("sirhius", "RH", ("Question sur la fiche de paie", "Demande de télétravail",
                             "Attestation employeur")),
    "LOG": ("resa", "LOG", ("Salle Turgot réservée", "Badge d'accès perdu",
                            "Chauffage bureau 4021")),
    "COMM": ("ecrins", "COM", ("Publication intranet", "Affiche pour un séminaire")),
    "FIN": ("chorus", "FIN", ("Remboursement frais de mission", "Bon de commande fournitures")),
}
# fmt: on


@dataclass(frozen=True)
class DemoInteraction:
    """One interaction the demo reports, and who should answer it (or stay silent)."""

    payload: dict[str, Any]
    agent: SandboxUser | None
    answers: bool


def crowd_interactions(now: datetime, rng: random.Random) -> list[DemoInteraction]:
    """Return one interaction per crowd member, most of them with the IT desk."""
    items = []
    for index, person in enumerate(CROWD):
        service = "SI" if index % 8 else rng.choice(["RH", "LOG", "COMM", "FIN"])
        source, prefix, summaries = REQUESTS[service]
        number = 3000 + index
        items.append(
            DemoInteraction(
                payload={
                    "external_id": f"{prefix}-2026-{number}",
                    "source": source,
                    "service": service,
                    "beneficiary": {"slack_user_id": person.id},
                    "occurred_at": (now - timedelta(hours=2 + index % 5)).isoformat(),
                    "send_after": now.isoformat(),
                    "reference": f"{prefix}-2026-{number}",
                    "summary": rng.choice(summaries),
                },
                agent=person,
                answers=True,
            )
        )
    return items


def interactions(now: datetime, rng: random.Random) -> list[DemoInteraction]:
    """Return the interactions of the demo: every agent once or twice, a few odd cases."""
    items: list[DemoInteraction] = []
    services = list(REQUESTS)
    for index, agent in enumerate(AGENTS):
        for round_ in range(2 if index % 3 == 0 else 1):
            service = services[(index + round_ * 2) % len(services)]
            if round_ == 0 and index < 8:
                service = "SI"  # the IT desk had a hard month: enough answers to show it
            source, prefix, summaries = REQUESTS[service]
            number = 4200 + len(items)
            beneficiary: dict[str, str] = (
                {"email": agent.email.upper()} if index == 5 else {"slack_user_id": agent.id}
            )
            items.append(
                DemoInteraction(
                    payload={
                        "external_id": f"{prefix}-2026-{number}",
                        "source": source,
                        "service": service,
                        "beneficiary": beneficiary,
                        "occurred_at": (now - timedelta(hours=3 + index)).isoformat(),
                        "send_after": now.isoformat(),
                        "reference": f"{prefix}-2026-{number}",
                        "summary": rng.choice(summaries),
                    },
                    agent=agent,
                    answers=rng.random() > 0.12,
                )
            )
    for external_id, email in (("RH-2026-9001", "inconnu@finances.gouv.fr"),):
        items.append(
            DemoInteraction(
                payload={
                    "external_id": external_id,
                    "source": "sirhius",
                    "service": "RH",
                    "beneficiary": {"email": email},
                    "occurred_at": (now - timedelta(hours=5)).isoformat(),
                    "send_after": now.isoformat(),
                },
                agent=None,
                answers=False,
            )
        )
    items.append(
        DemoInteraction(
            payload={
                "external_id": "LOG-2026-9002",
                "source": "resa",
                "service": "LOG",
                "beneficiary": {"slack_user_id": DEPARTED.id},
                "occurred_at": (now - timedelta(hours=4)).isoformat(),
                "send_after": now.isoformat(),
            },
            agent=None,
            answers=False,
        )
    )
    return items
