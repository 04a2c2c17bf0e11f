# language: fr
@expenses @smoke
Fonctionnalité: Rechercher ses notes de frais
  Une employée retrouve une dépense par un mot de sa description.

  Contexte:
    Soit je suis connectée en tant que "employee"
    Et j'ouvre "expenses"

  Scénario: Retrouver une dépense par mot-clé
    Quand je remplis "expenses.search" avec "Taxi"
    Et j'appuie sur "Enter" dans "expenses.search"
    Alors l'URL contient "q=Taxi"
    Et "expenses.table" contient "Taxi to airport"
    Et je ne vois pas "Laptop stand"

  Scénario: Une recherche sans résultat le dit
    Quand je remplis "expenses.search" avec "yacht"
    Et j'appuie sur "Enter" dans "expenses.search"
    Alors je vois "No expenses match"
    Et le titre de la page contient "Expenses"
