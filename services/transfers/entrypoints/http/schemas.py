"""Request and response bodies of the transfers API. Shapes and types only; the rules are in the domain."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.transfers.domain.model import Instrument
from services.transfers.domain.terms import Terms

AccountNumber = Annotated[str, Field(min_length=1, max_length=64)]
Money = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=14)]  # fits Numeric(18, 2), sums too
Jurisdiction = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InstrumentIn(_In):
    instrument_type: Literal["allowance", "offset"]
    jurisdiction: Jurisdiction | None = Field(None, description="issuing jurisdiction; default: the source's")
    vintage: int | None = Field(None, ge=2012, le=2100, description="required for allowances (§95921(b)(1)(C))")

    def to_domain(self, default_jurisdiction: str) -> Instrument:
        return Instrument(self.instrument_type, self.jurisdiction or default_jurisdiction, self.vintage)


class AgreementIn(_In):
    """§95921(a)(4): the written or recorded oral transaction agreement authorizing the transfer."""

    kind: Literal["written", "recorded_oral"]
    reference: str = Field(min_length=1, max_length=200)


class TransactionIn(_In):
    """§95921(b)(2)–(b)(6): the transaction type and that type's own fields."""

    transaction_type: Literal["otc_spot", "otc_forward", "exchange"]
    agreement_date: date | None = None
    expected_termination_date: date | Literal["not_specified"] | None = None
    price: Money | None = Field(None, description="per instrument, whole cents; (b)(3)(C), (b)(4)(E)/(G), (b)(5)(D)")
    currency: Literal["USD", "CAD"] | None = None
    zero_price_reason: Literal["A", "B", "C", "D", "E", "F", "G", "H"] | None = Field(
        None, description="§95921(b)(6)(A)-(H): required with a price of zero")
    further_transfers: bool | None = None
    other_products: bool | None = None
    pricing_method: Literal["fixed", "cost_plus", "other"] | None = None
    cost_base: Money | None = None
    margin: Money | None = None
    pricing_description: str | None = Field(None, max_length=2000)
    exchange: str | None = Field(None, max_length=200)
    contract_code: str | None = Field(None, max_length=100)
    close_of_trading_date: date | None = None
    agreement: AgreementIn | None = None

    def to_domain(self) -> Terms:
        etd = self.expected_termination_date
        return Terms(
            transaction_type=self.transaction_type, agreement_date=self.agreement_date,
            expected_termination_date=etd if isinstance(etd, date) else None,
            termination_not_specified=etd == "not_specified", price=self.price, currency=self.currency,
            zero_price_reason=self.zero_price_reason, further_transfers=self.further_transfers,
            other_products=self.other_products, pricing_method=self.pricing_method, cost_base=self.cost_base,
            margin=self.margin, pricing_description=self.pricing_description, exchange=self.exchange,
            contract_code=self.contract_code, close_of_trading_date=self.close_of_trading_date,
            agreement_kind=self.agreement.kind if self.agreement else None,
            agreement_reference=self.agreement.reference if self.agreement else None,
        )


class SubmitIn(_In):
    """§95921(b)(1): source holding account, destination, instrument, quantity; the submitter is the first
    initiating representative and `second_representative` optionally names the second."""

    source_account: AccountNumber
    destination_account: AccountNumber
    instrument: InstrumentIn
    quantity: int = Field(gt=0, le=1_000_000_000)
    second_representative: str | None = Field(None, min_length=1, max_length=64)
    transaction: TransactionIn


class UndertakeIn(_In):
    source_account: AccountNumber
    destination_account: AccountNumber
    instrument: InstrumentIn
    quantity: int = Field(gt=0, le=1_000_000_000)
    reason: str = Field(min_length=1, max_length=2000)


class StepIn(_In):
    expected_version: int | None = Field(None, ge=1, description="refuse with 409 if the transfer changed")


class DeterminationIn(_In):
    decision: Literal["approve", "deny"]
    reason: str | None = Field(None, max_length=2000, description="required to deny")
    expected_version: int | None = Field(None, ge=1)


class DeficiencyIn(_In):
    kind: Literal["information", "holding_limit", "other"]
    responsible: Literal["source", "destination"]
    problem: str = Field(min_length=1, max_length=4000)
    fields: list[str] = Field(default_factory=list, max_length=50)


class ResubmitIn(_In):
    transaction: TransactionIn


class CorrectionIn(_In):
    note: str = Field(min_length=1, max_length=4000)
    transaction: TransactionIn | None = None


class ReversalIn(_In):
    deficiency_id: str = Field(min_length=1, max_length=40)
    reason: str = Field(min_length=1, max_length=2000)


class DocumentationRequestIn(_In):
    party: Literal["source", "destination"]
    description: str = Field(min_length=1, max_length=4000)


class FailureNoticeIn(_In):
    notice: str = Field(min_length=1, max_length=8000)


class LiftBlockIn(_In):
    determination: str = Field(min_length=1, max_length=4000)


class InstrumentOut(BaseModel):
    instrument_type: str
    jurisdiction: str
    vintage: int | None


class OutcomeOut(BaseModel):
    code: str
    message: str | None


class DeficiencyOut(BaseModel):
    deficiency_id: str
    stage: str
    kind: str
    responsible: str
    problem: str
    fields: list[str]
    found_at: datetime
    correct_by: datetime
    status: str
    resolved_by: str | None
    resolved_at: datetime | None
    resolution: str | None


class TransferOut(BaseModel):
    transfer_id: str
    version: int
    status: str
    origin: str
    source_account: str
    destination_account: str
    jurisdiction: str
    instrument: InstrumentOut
    quantity: int
    terms: dict[str, Any] | None
    requires_acceptance: bool
    submitted_by: str
    second_representative: str | None
    submitted_at: datetime
    confirm_by: datetime | None
    accept_by: datetime | None
    deadline: datetime | None
    confirmed_by: str | None
    confirmed_at: datetime | None
    accepted_by: str | None
    accepted_at: datetime | None
    determined_by: str | None
    determined_at: datetime | None
    determination_reason: str | None
    outcome: OutcomeOut | None
    move_id: str | None
    recorded_at: datetime | None
    flags: list[str]
    reversal_move_id: str | None
    reversed_at: datetime | None
    note: str | None
    retain_until: datetime
    deficiencies: list[DeficiencyOut] | None = None


class NotificationOut(BaseModel):
    id: str
    recipient: str
    transfer_id: str | None
    kind: str
    message: str
    created_at: datetime


class ReportLine(BaseModel):
    date: date
    instrument_type: str
    instrument_jurisdiction: str
    vintage: int | None
    transaction_type: str | None
    currency: str | None
    transfers: int
    quantity: int
    volume_weighted_price: str | None
    min_price: str | None
    max_price: str | None
    zero_price_transfers: int


class ReportOut(BaseModel):
    from_: date = Field(alias="from")
    to: date
    lines: list[ReportLine]

    model_config = ConfigDict(populate_by_name=True)
