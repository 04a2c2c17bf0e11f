# language: fr
@smoke @login
Fonctionnalité: Se connecter à Spendly
  Une employée francophone se connecte avec son compte d'entreprise.

  Scénario: Une employée se connecte et arrive sur son tableau de bord
    Quand je me connecte en tant que "employee"
    Alors l'URL contient "/home"
    Et "home.role" contient "Employee"

  Scénario: Un mauvais mot de passe est refusé
    Quand je me connecte en tant que "employee" avec le mot de passe "pas-le-bon"
    Alors "login.error" est visible
    Et je vois "Invalid username or password"
    Et l'URL contient "/login"
