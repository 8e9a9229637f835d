"""English and French catalogs (Québec users) and locale negotiation.

`t(key, **values)` is available in every template (it reads the request's `locale`); in Python use
`translate(key, locale, **values)`. The chosen language is kept in the `capreg_lang` cookie; without
it the Accept-Language header decides; English otherwise. A missing French entry falls back to
English, a missing key to the key itself (visible in review, never an error).
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

LOCALES = ("en", "fr")
LANG_COOKIE = "capreg_lang"

# key: (English, French)
_ENTRIES: dict[str, tuple[str, str]] = {
    "app.title": ("capreg registry portal", "Portail du registre capreg"),
    "app.skip": ("Skip to content", "Aller au contenu"),
    "nav.home": ("Home", "Accueil"),
    "nav.accounts": ("Entities and accounts", "Entités et comptes"),
    "nav.transfers": ("Transfers", "Transferts"),
    "nav.notifications": ("Notifications", "Avis"),
    "nav.auctions": ("Auctions", "Enchères"),
    "nav.financial": ("Guarantees and invoices", "Garanties et factures"),
    "nav.kyc": ("KYC reviews", "Vérifications d'identité"),
    "nav.entities_queue": ("Entity applications", "Demandes d'inscription d'entités"),
    "nav.rep_requests": ("Representative changes", "Changements de représentants"),
    "nav.determinations": ("Transfers awaiting determination", "Transferts en attente de décision"),
    "nav.auction_admin": ("Auction administration", "Administration des enchères"),
    "nav.settlement": ("Settlement", "Règlement"),
    "nav.restrictions": ("Restrictions", "Restrictions"),
    "nav.ops": ("Operations", "Exploitation"),
    "nav.register": ("Register", "S'inscrire"),
    "nav.sign_in": ("Sign in", "Se connecter"),
    "nav.sign_out": ("Sign out", "Se déconnecter"),
    "nav.language": ("Language", "Langue"),
    "nav.main": ("Main navigation", "Navigation principale"),
    "nav.staff": ("Staff work queues", "Files de travail du personnel"),
    "lang.switch": ("Français", "English"),
    "home.welcome": ("Welcome, {name}", "Bienvenue, {name}"),
    "home.anonymous": (
        "Sign in with your e-mail, password and one-time code, or register as an individual user.",
        "Connectez-vous avec votre courriel, votre mot de passe et votre code à usage unique, "
        "ou inscrivez-vous comme utilisateur.",
    ),
    "home.roles": ("Your roles", "Vos rôles"),
    "common.submit": ("Submit", "Soumettre"),
    "common.approve": ("Approve", "Approuver"),
    "common.deny": ("Deny", "Refuser"),
    "common.reason": ("Reason", "Motif"),
    "common.status": ("Status", "Statut"),
    "common.none": ("Nothing here.", "Rien à afficher."),
    "common.error": ("The request was refused", "La demande a été refusée"),
    "common.done": ("Done.", "C'est fait."),
    "common.totp": ("One-time code (authenticator app)", "Code à usage unique (application d'authentification)"),
    "common.totp_hint": (
        "This action needs a fresh one-time code: six digits from your authenticator app.",
        "Cette action exige un nouveau code à usage unique : six chiffres de votre application.",
    ),
    "common.view": ("View", "Voir"),
    "common.remaining": ("{time} left", "reste {time}"),
    "common.expired": ("deadline passed", "délai expiré"),
    "common.jurisdiction": ("Jurisdiction", "Territoire"),
    "common.name": ("Name", "Nom"),
    "common.quantity": ("Quantity", "Quantité"),
    "common.vintage": ("Vintage", "Millésime"),
    "common.instrument": ("Instrument", "Instrument"),
    "common.account": ("Account", "Compte"),
    "common.id": ("Identifier", "Identifiant"),
    "common.when": ("When", "Date"),
    "common.kind": ("Kind", "Type"),
    "common.amount": ("Amount", "Montant"),
    "error.csrf": (
        "The form expired or did not come from this site. Reload the page and try again.",
        "Le formulaire a expiré ou ne provient pas de ce site. Rechargez la page et réessayez.",
    ),
    "error.unavailable": ("The {service} service is unavailable. Try again shortly.",
                          "Le service {service} est indisponible. Réessayez sous peu."),
    "error.forbidden": ("Your roles do not allow this page.", "Vos rôles ne permettent pas d'accéder à cette page."),
    "error.signin": ("Sign-in failed: {reason}", "Échec de la connexion : {reason}"),
    "error.not_found": ("Page not found.", "Page introuvable."),
    "register.title": ("Register as an individual user", "Inscription d'un utilisateur"),
    "register.intro": (
        "Section 95834 requires your identity, residence, a government ID and a bank account proof. "
        "You then upload the documents within 30 days.",
        "L'article 95834 exige votre identité, votre résidence, une pièce d'identité officielle et une "
        "preuve de compte bancaire. Vous téléversez ensuite les documents dans les 30 jours.",
    ),
    "register.legal_name": ("Legal name", "Nom légal"),
    "register.email": ("E-mail", "Courriel"),
    "register.phone": ("Phone", "Téléphone"),
    "register.date_of_birth": ("Date of birth", "Date de naissance"),
    "register.residence": ("Primary residence", "Résidence principale"),
    "register.line1": ("Street address", "Adresse"),
    "register.city": ("City", "Ville"),
    "register.region": ("State or province", "État ou province"),
    "register.postal_code": ("Postal code", "Code postal"),
    "register.country": ("Country (2 letters)", "Pays (2 lettres)"),
    "register.gov_id": ("Government ID", "Pièce d'identité officielle"),
    "register.id_type": ("ID type", "Type de pièce"),
    "register.id_number": ("ID number", "Numéro"),
    "register.id_issuer": ("Issued by", "Délivrée par"),
    "register.id_expires_on": ("Expires on", "Expire le"),
    "register.bank": ("Bank account proof", "Preuve de compte bancaire"),
    "register.bank_name": ("Bank", "Banque"),
    "register.statement_date": ("Statement date", "Date du relevé"),
    "register.attestation": ("Attestation", "Attestation"),
    "register.felony": (
        "I was convicted of a felony in the last 5 years",
        "J'ai été reconnu coupable d'un acte criminel au cours des 5 dernières années",
    ),
    "register.truthful": ("The information I give is true", "Les renseignements fournis sont exacts"),
    "register.password": ("Password (at least 12 characters)", "Mot de passe (au moins 12 caractères)"),
    "register.done": (
        "Registered. Upload your documents by {due}.", "Inscription reçue. Téléversez vos documents d'ici le {due}."
    ),
    "register.status_title": ("Your registration", "Votre inscription"),
    "register.documents": ("Documents", "Documents"),
    "register.doc_kind": ("Document kind", "Type de document"),
    "register.doc_file": ("File (PDF, PNG or JPEG)", "Fichier (PDF, PNG ou JPEG)"),
    "register.upload": ("Upload", "Téléverser"),
    "register.submit_docs": ("Submit documents for review", "Soumettre les documents pour vérification"),
    "register.activate": ("Activate your account", "Activer votre compte"),
    "register.activate_intro": (
        "Your registration was approved. Confirm your password to receive your one-time-code secret.",
        "Votre inscription a été approuvée. Confirmez votre mot de passe pour recevoir votre clé de code.",
    ),
    "register.secret": ("Your authenticator secret", "Votre clé d'authentification"),
    "register.secret_hint": (
        "Add it to your authenticator app, then enter the code it shows.",
        "Ajoutez-la à votre application d'authentification, puis entrez le code affiché.",
    ),
    "register.confirm": ("Confirm the code", "Confirmer le code"),
    "register.active": ("Your account is active. You can now sign in.",
                        "Votre compte est actif. Vous pouvez maintenant vous connecter."),
    "register.government_id": ("Government ID", "Pièce d'identité"),
    "register.bank_statement": ("Bank statement", "Relevé bancaire"),
    "register.proof_of_residence": ("Proof of residence", "Preuve de résidence"),
    "accounts.title": ("Your entities and accounts", "Vos entités et comptes"),
    "accounts.role": ("Your role", "Votre rôle"),
    "accounts.holdings": ("Holdings", "Avoirs"),
    "accounts.type": ("Account type", "Type de compte"),
    "accounts.entity": ("Entity", "Entité"),
    "accounts.number": ("Account number", "Numéro de compte"),
    "accounts.reserved": ("Reserved", "Réservé"),
    "transfers.title": ("Transfers", "Transferts"),
    "transfers.new": ("Submit a transfer request", "Soumettre une demande de transfert"),
    "transfers.source": ("Source account", "Compte source"),
    "transfers.destination": ("Destination account", "Compte de destination"),
    "transfers.instrument_type": ("Instrument type", "Type d'instrument"),
    "transfers.issuer": ("Issuing jurisdiction", "Territoire émetteur"),
    "transfers.transaction_type": ("Transaction type", "Type de transaction"),
    "transfers.agreement_date": ("Agreement date", "Date de l'entente"),
    "transfers.termination": ("Expected termination date", "Date de fin prévue"),
    "transfers.price": ("Price per instrument", "Prix par instrument"),
    "transfers.currency": ("Currency", "Devise"),
    "transfers.agreement_kind": ("Agreement", "Entente"),
    "transfers.agreement_ref": ("Agreement reference", "Référence de l'entente"),
    "transfers.submitted": ("Transfer request {id} submitted.", "Demande de transfert {id} soumise."),
    "transfers.confirm": ("Confirm", "Confirmer"),
    "transfers.accept": ("Accept", "Accepter"),
    "transfers.withdraw": ("Withdraw", "Retirer"),
    "transfers.determine": ("Determination", "Décision"),
    "transfers.deadline": ("Deadline", "Échéance"),
    "transfers.steps": ("Steps", "Étapes"),
    "transfers.confirmed": ("Transfer confirmed.", "Transfert confirmé."),
    "transfers.accepted": ("Transfer accepted.", "Transfert accepté."),
    "transfers.approved": ("Determination recorded.", "Décision enregistrée."),
    "transfers.deficiency": ("Record a deficiency", "Consigner une lacune"),
    "transfers.documentation": ("Request documentation", "Demander des documents"),
    "notifications.title": ("Notifications", "Avis"),
    "auctions.title": ("Auctions", "Enchères"),
    "auctions.apply": ("Apply", "Présenter une demande"),
    "auctions.bid": ("Place a bid", "Soumettre une offre"),
    "auctions.applications": ("Your applications", "Vos demandes"),
    "auctions.bids": ("Your bids", "Vos offres"),
    "auctions.price": ("Price", "Prix"),
    "auctions.lots": ("Lots", "Lots"),
    "financial.title": ("Guarantees and invoices", "Garanties et factures"),
    "financial.guarantees": ("Bid guarantees", "Garanties de soumission"),
    "financial.invoices": ("Invoices", "Factures"),
    "kyc.title": ("KYC reviews", "Vérifications d'identité"),
    "kyc.approved": ("Registration approved.", "Inscription approuvée."),
    "kyc.denied": ("Registration denied.", "Inscription refusée."),
    "queue.entities": ("Entity applications", "Demandes d'inscription d'entités"),
    "queue.rep_requests": ("Representative-change requests", "Demandes de changement de représentants"),
    "queue.determinations": ("Transfers awaiting determination", "Transferts en attente de décision"),
    "queue.deficiencies": ("Deficient transfers", "Transferts comportant une lacune"),
    "queue.documentation": ("Documentation requests", "Demandes de documents"),
    "auction_admin.title": ("Auction administration", "Administration des enchères"),
    "settlement.title": ("Settlement", "Règlement"),
    "restrictions.title": ("Entity restrictions", "Restrictions des entités"),
    "restrictions.kind": ("Transfer restriction", "Restriction des transferts"),
    "signin.title": ("Sign in", "Connexion"),
    "common.bytes": ("Bytes", "Octets"),
    "common.flags": ("Flags", "Signalements"),
    "transfers.responsible": ("Responsible party", "Partie responsable"),
    "transfers.problem": ("Problem", "Problème"),
    "auction_admin.clearing": ("Run the clearing", "Lancer l'adjudication"),
    "auction_admin.certify": ("Certify the results", "Certifier les résultats"),
    "auction_admin.participation": ("Approve participation", "Approuver la participation"),
    "auction_admin.cancel": ("Cancel the auction", "Annuler l'enchère"),
    "signin.signed_out": ("You are signed out.", "Vous êtes déconnecté."),
}

CATALOGS: dict[str, dict[str, str]] = {
    "en": {k: v[0] for k, v in _ENTRIES.items()},
    "fr": {k: v[1] for k, v in _ENTRIES.items()},
}


def register(entries: dict[str, tuple[str, str]]) -> None:
    """Add a module's (English, French) texts to the catalogs; keys already present are kept."""
    for index, locale in enumerate(LOCALES):
        catalog = CATALOGS.setdefault(locale, {})
        for key, texts in entries.items():
            catalog.setdefault(key, texts[index])


def translate(key: str, locale: str = "en", /, **values: Any) -> str:
    text = CATALOGS.get(locale, {}).get(key) or CATALOGS["en"].get(key) or key
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def negotiate(cookie: str | None, accept_language: str | None, default: str = "en") -> str:
    """The cookie wins; else the best-weighted supported language of Accept-Language; else `default`."""
    if cookie in LOCALES:
        return cookie
    best, best_q = default, -1.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        if lang not in LOCALES:
            continue
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        if q > best_q:
            best, best_q = lang, q
    return best


@pass_context
def _t(ctx: Context, key: str, **values: Any) -> str:
    return translate(key, str(ctx.get("locale") or "en"), **values)


def install(env: Environment) -> None:
    """Make `t()` available in the templates of `env` (it reads `locale` from the template context)."""
    env.globals["t"] = _t
    env.globals["LOCALES"] = LOCALES
