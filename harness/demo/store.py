"""The demo app's data: users, expenses and tickets, held in memory behind a lock.

Every app instance gets its own :class:`Store`, seeded with ~400 pending expenses from
other employees (so approval journeys never run out), a few of the employee's own
expenses (so searches find something) and a short ticket queue.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

CATEGORIES = ("Travel", "Meals", "Office", "Software")
PRIORITIES = ("Low", "Normal", "High", "Urgent")
SEED_PENDING = 400

_SEED_PEOPLE = (
    "Bea Schulz", "Carlos Ruiz", "Dana Kim", "Elif Demir", "Femi Adeyemi", "Greta Lind",
    "Hugo Blanc", "Ines Costa", "Jonas Berg", "Keiko Sato",
)
_SEED_ITEMS = (
    ("Hotel in Lyon", "Travel"), ("Train to Milan", "Travel"), ("Client dinner", "Meals"),
    ("Printer paper", "Office"), ("Design tool licence", "Software"), ("Parking at HQ", "Travel"),
    ("Conference badge", "Travel"), ("Coffee with candidate", "Meals"), ("USB-C hub", "Office"),
    ("Cloud storage plan", "Software"),
)


@dataclass(frozen=True, slots=True)
class User:
    """A person who can sign in.

    Attributes:
        username: Login name.
        password: Plain-text demo password.
        role: ``employee`` or ``manager``.
        display_name: Name shown in the UI.
    """

    username: str
    password: str
    role: str
    display_name: str


@dataclass(frozen=True, slots=True)
class Receipt:
    """An uploaded receipt, kept in memory."""

    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


@dataclass(frozen=True, slots=True)
class Expense:
    """An expense claim."""

    id: int
    owner: str
    owner_name: str
    description: str
    amount: Decimal
    category: str
    spent_on: date
    status: str = "Pending"
    receipt: Receipt | None = None


@dataclass(frozen=True, slots=True)
class Ticket:
    """A support ticket."""

    id: int
    owner: str
    title: str
    priority: str
    description: str = ""
    status: str = "Open"


@dataclass
class Store:
    """Thread-safe in-memory storage for one app instance."""

    expenses: dict[int, Expense] = field(default_factory=dict)
    tickets: dict[int, Ticket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _next_expense: int = 1001
    _next_ticket: int = 1041

    @classmethod
    def seeded(cls, employee: User, manager: User) -> Store:
        """Return a store filled with demo data for ``employee`` and ``manager``."""
        store = cls()
        rng = random.Random(20240514)
        start = date(2024, 3, 1)
        for i in range(SEED_PENDING):
            person = _SEED_PEOPLE[i % len(_SEED_PEOPLE)]
            item, category = _SEED_ITEMS[(i * 7) % len(_SEED_ITEMS)]
            amount = Decimal(rng.randrange(500, 40000)) / 100
            store.add_expense(person.split()[0].lower(), person, item, amount, category,
                              start + timedelta(days=i % 60))
        own = (
            ("Taxi to airport", "42.80", "Travel", "Pending"),
            ("Team lunch", "64.00", "Meals", "Approved"),
            ("Laptop stand", "39.90", "Office", "Pending"),
            ("Train to Lyon", "86.00", "Travel", "Approved"),
            ("Design tool subscription", "15.00", "Software", "Rejected"),
        )
        for n, (desc, amount_text, category, status) in enumerate(own):
            exp = store.add_expense(employee.username, employee.display_name, desc, Decimal(amount_text),
                                    category, date(2024, 4, 2) + timedelta(days=3 * n))
            store.set_status(exp.id, status)
        store.add_expense(manager.username, manager.display_name, "Offsite venue deposit", Decimal("250.00"),
                          "Travel", date(2024, 4, 20))
        tickets = (
            ("Cannot export March report", "Normal", "In progress"),
            ("Receipt upload fails for HEIC photos", "High", "Open"),
            ("Add a 'Training' category", "Low", "Open"),
        )
        for title, priority, status in tickets:
            ticket = store.add_ticket(employee.username, title, priority, "")
            store.tickets[ticket.id] = replace(ticket, status=status)
        return store

    def add_expense(self, owner: str, owner_name: str, description: str, amount: Decimal, category: str,
                    spent_on: date, receipt: Receipt | None = None) -> Expense:
        """Store a new pending expense and return it."""
        with self._lock:
            exp = Expense(self._next_expense, owner, owner_name, description, amount, category, spent_on,
                          receipt=receipt)
            self.expenses[exp.id] = exp
            self._next_expense += 1
            return exp

    def set_status(self, expense_id: int, status: str) -> Expense | None:
        """Set an expense's status; return it, or None when it does not exist."""
        with self._lock:
            exp = self.expenses.get(expense_id)
            if exp is None:
                return None
            exp = replace(exp, status=status)
            self.expenses[expense_id] = exp
            return exp

    def get_expense(self, expense_id: int) -> Expense | None:
        """Return one expense or None."""
        with self._lock:
            return self.expenses.get(expense_id)

    def expenses_of(self, owner: str, query: str = "") -> list[Expense]:
        """Return ``owner``'s expenses, newest first, filtered by a case-insensitive query."""
        needle = query.strip().casefold()
        with self._lock:
            found = [e for e in self.expenses.values() if e.owner == owner]
        if needle:
            found = [e for e in found if needle in e.description.casefold() or needle in e.category.casefold()]
        return sorted(found, key=lambda e: (e.spent_on, e.id), reverse=True)

    def pending(self) -> list[Expense]:
        """Return every pending expense, oldest first."""
        with self._lock:
            return sorted((e for e in self.expenses.values() if e.status == "Pending"), key=lambda e: e.id)

    def add_ticket(self, owner: str, title: str, priority: str, description: str) -> Ticket:
        """Store a new open ticket and return it."""
        with self._lock:
            ticket = Ticket(self._next_ticket, owner, title, priority, description)
            self.tickets[ticket.id] = ticket
            self._next_ticket += 1
            return ticket

    def ticket_queue(self) -> list[Ticket]:
        """Return every ticket, newest first."""
        with self._lock:
            return sorted(self.tickets.values(), key=lambda t: t.id, reverse=True)
