"""What the transfer page shows about deficiencies (§95921(i)) and documentation requests (§95921(c)),
and which of their forms the signed-in person may use; the texts of those faces in English and French.

The services stay the authority: a form shown here may still be refused, and the refusal is shown.
"""

from __future__ import annotations

from typing import Any

from services.portal import i18n
from services.portal.api import Api, ApiError
from services.portal.session import User

# key: (English, French); merged into the portal's catalogs below (i18n.py is shared with other pages)
_MESSAGES: dict[str, tuple[str, str]] = {
    "transfer.title": ("Transfer {id}", "Transfert {id}"),
    "transfer.deficiencies": ("Deficiencies", "Lacunes"),
    "transfer.deficiency_kind": ("Kind of deficiency", "Type de lacune"),
    "transfer.deficiency_fields": ("Fields concerned (comma-separated, optional)",
                                   "Champs visés (séparés par des virgules, facultatif)"),
    "transfer.deficiency_problem": ("Specific problem", "Problème précis"),
    "transfer.deficiency_stage": ("Found", "Constatée"),
    "transfer.before_recording": ("before recording", "avant l'inscription"),
    "transfer.after_recording": ("after recording", "après l'inscription"),
    "transfer.correct_within": ("Time left to correct", "Temps restant pour corriger"),
    "transfer.kind.information": ("Information", "Renseignements"),
    "transfer.kind.holding_limit": ("Holding limit", "Limite de détention"),
    "transfer.kind.other": ("Other", "Autre"),
    "transfer.party.source": ("Source (transferor)", "Source (cédant)"),
    "transfer.party.destination": ("Destination (transferee)", "Destination (cessionnaire)"),
    "transfer.resubmit": ("Resubmit with the deficiency corrected", "Soumettre de nouveau avec la lacune corrigée"),
    "transfer.resubmit_hint": (
        "Correct the transaction details. Accounts, instrument and quantity cannot change: that is a new request.",
        "Corrigez les détails de la transaction. Les comptes, l'instrument et la quantité ne peuvent pas changer : "
        "ce serait une nouvelle demande.",
    ),
    "transfer.correct": ("Correct the deficiency", "Corriger la lacune"),
    "transfer.correction_note": ("What was corrected", "Ce qui a été corrigé"),
    "transfer.resubmitted": ("Transfer request resubmitted.", "Demande de transfert soumise de nouveau."),
    "transfer.corrected": ("Deficiency corrected.", "Lacune corrigée."),
    "transfer.deficiency_recorded": ("Deficiency recorded; the parties are notified.",
                                     "Lacune consignée; les parties sont avisées."),
    "transfer.documentation": ("Documentation requests", "Demandes de documents"),
    "transfer.documentation_party": ("Party asked", "Partie visée"),
    "transfer.documentation_description": ("Documentation needed", "Documents demandés"),
    "transfer.documentation_due": ("Due", "Échéance"),
    "transfer.documentation_requested": ("Documentation requested; the party is notified.",
                                         "Documents demandés; la partie est avisée."),
    "transfer.documents": ("Documents", "Documents"),
    "transfer.upload": ("Upload a document", "Téléverser un document"),
    "transfer.upload_file": ("File", "Fichier"),
    "transfer.uploaded": ("Document uploaded.", "Document téléversé."),
    "transfer.withdrawn": ("Transfer request withdrawn.", "Demande de transfert retirée."),
    "transfer.submitted_at": ("Submitted", "Soumise"),
    "transfer.confirm_by": ("Confirmation due", "Confirmation exigée d'ici"),
    "transfer.accept_by": ("Acceptance due", "Acceptation exigée d'ici"),
    "queue.documentation_requests": ("Open documentation requests", "Demandes de documents en cours"),
    "queue.documentation_fulfilled": ("Answered documentation requests", "Demandes de documents satisfaites"),
    "common.transfer": ("Transfer", "Transfert"),
    "common.time_left": ("Time left", "Temps restant"),
    "reps.title": ("Representatives of {name}", "Représentants de {name}"),
    "reps.link": ("Representatives", "Représentants"),
    "reps.current": ("Current representatives", "Représentants actuels"),
    "reps.primary": ("Primary account representative", "Représentant principal"),
    "reps.alternates": ("Alternate account representatives", "Représentants suppléants"),
    "reps.viewing_agents": ("Account viewing agents", "Agents de consultation"),
    "reps.request": ("Request a change", "Demander un changement"),
    "reps.request_hint": (
        "A registrar of the entity's jurisdiction reviews the request. The person must have an approved "
        "registration (their individual identifier starts with ind_).",
        "Un registraire du territoire de l'entité examine la demande. La personne doit avoir une inscription "
        "approuvée (son identifiant commence par ind_).",
    ),
    "reps.change": ("Change", "Changement"),
    "reps.change.add_alternate": ("Add an alternate representative", "Ajouter un représentant suppléant"),
    "reps.change.remove_alternate": ("Remove an alternate representative", "Retirer un représentant suppléant"),
    "reps.change.add_viewing_agent": ("Add an account viewing agent", "Ajouter un agent de consultation"),
    "reps.change.remove_viewing_agent": ("Remove an account viewing agent", "Retirer un agent de consultation"),
    "reps.change.change_primary": ("Make this person the primary representative",
                                   "Nommer cette personne représentant principal"),
    "reps.individual": ("Individual identifier", "Identifiant de la personne"),
    "reps.requests": ("Your entity's requests", "Demandes de votre entité"),
    "reps.requested": ("Request {id} sent to the registrar.", "Demande {id} transmise au registraire."),
    "reps.requested_by": ("Requested by", "Demandée par"),
    "reps.proposed": ("Proposed representatives", "Représentants proposés"),
    "reps.decided": ("Decision", "Décision"),
    "reps.not_a_representative": ("{id} is not among the current {role}.", "{id} ne figure pas parmi les {role}."),
    "reps.already": ("{id} already represents the entity.", "{id} représente déjà l'entité."),
    "reps.unknown_change": ("Choose a change.", "Choisissez un changement."),
}
i18n.register(_MESSAGES)

OPEN_FOR_RESUBMISSION = "deficient"  # §95921(i)(1)(C)
CLOSED = (None, "refused", "expired", "withdrawn", "denied")


async def documentation_requests(api: Api, **params: Any) -> tuple[list[dict[str, Any]], ApiError | None]:
    """The transfers API's `GET /v1/documentation-requests` (the service decides what the person sees)."""
    body, error = await api.get_or_none("transfers", "/v1/documentation-requests", params=params)
    return (list(body) if isinstance(body, list) else []), error


async def transfer_context(api: Api, user: User, transfer: dict[str, Any] | None,
                           acting_accounts: set[str]) -> dict[str, Any]:
    """Deficiencies with their forms, documentation requests with theirs, for one transfer page."""
    t = transfer or {}
    if not t:
        return {"deficiencies": [], "documentation": [], "may_resubmit": False, "may_request_documentation": False}
    sides = {"source": t.get("source_account"), "destination": t.get("destination_account")}
    deficiencies = []
    for d in t.get("deficiencies") or []:
        deficiencies.append({**d, "may_correct": d.get("status") == "open" and d.get("stage") == "after_recording"
                             and sides.get(str(d.get("responsible"))) in acting_accounts})
    requests, _ = await documentation_requests(api, transfer_id=t.get("transfer_id"))
    documentation = [{**r, "may_upload": r.get("account_number") in acting_accounts} for r in requests]
    jurisdiction = str(t.get("jurisdiction"))
    return {
        "deficiencies": deficiencies,
        "documentation": documentation,
        "may_resubmit": t.get("status") == OPEN_FOR_RESUBMISSION and t.get("source_account") in acting_accounts,
        "may_request_documentation": t.get("status") not in CLOSED
        and user.has_role("executive_officer", jurisdiction),
        "terms": t.get("terms") or {},
    }
