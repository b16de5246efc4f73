"""Words for the demo data: fictional names, schools, goals and notes, in English and Spanish.

Every person and household here is invented; any likeness to real people is chance.
"""

from __future__ import annotations

from dataclasses import dataclass

from journals.catalog import Domain

# fmt: off
SURNAMES_EN = (
    "Abernathy", "Bellweather", "Birchwood", "Brightwater", "Caldwell", "Carrington",
    "Copperfield", "Dunmore", "Ellsworth", "Fairbanks", "Featherstone", "Glenwood", "Hartwell",
    "Hollis", "Kettering", "Larkspur", "Lindgren", "Marlowe", "Merriweather", "Northcott",
    "Oakhurst", "Pemberton", "Quill", "Ravensworth", "Redfern", "Sandoval-Greene", "Stillwater",
    "Thistlewood", "Underhill", "Wexley", "Whitlock", "Winslow", "Yardley", "Ashby", "Brennan",
    "Okafor", "Nguyen-Parks", "Adeyemi", "Kowalczyk", "Lindqvist",
)
SURNAMES_ES = (
    "Alcántara", "Arismendi", "Barrientos", "Belmonte", "Cárdenas", "Castañeda", "Cienfuegos",
    "Del Valle", "Echeverría", "Escalante", "Fuentealba", "Galindo", "Granados", "Iturbide",
    "Jaramillo", "Lozano", "Maldonado", "Montalvo", "Navarrete", "Olivares", "Orozco", "Palomares",
    "Quintanilla", "Ramírez", "Rentería", "Saavedra", "Sepúlveda", "Solórzano", "Tamayo",
    "Urquiza", "Valdivia", "Villaseñor", "Zamarripa", "Zavala", "Ibarra", "Peralta", "Benavides",
    "Covarrubias", "Arredondo", "Mondragón",
)

ADULT_NAMES_EN = (
    "Alicia", "Andre", "Brianna", "Calvin", "Danielle", "Darnell", "Erica", "Frank", "Gloria",
    "Harold", "Imani", "Jasmine", "Keisha", "Kevin", "Latoya", "Marcus", "Monique", "Nathan",
    "Olivia", "Patrice", "Quentin", "Renee", "Shawn", "Tamika", "Tyrone", "Vanessa", "Wendell",
    "Yolanda", "Linh", "Minh", "Amara", "Chidi", "Agnieszka", "Tomasz", "Rachel", "Dwayne",
)
ADULT_NAMES_ES = (
    "Adriana", "Alejandro", "Araceli", "Beatriz", "Carlos", "Catalina", "Eduardo", "Elena",
    "Esperanza", "Fernando", "Gabriela", "Guadalupe", "Héctor", "Isabel", "Javier", "Josefina",
    "Leticia", "Lorena", "Manuel", "Marisol", "Miguel", "Norma", "Óscar", "Patricia", "Rafael",
    "Rocío", "Rosa", "Rubén", "Silvia", "Teresa", "Verónica", "Yesenia", "Jesús", "Luz",
)
CHILD_NAMES_EN = (
    "Aiden", "Amaya", "Bella", "Caleb", "Chloe", "Destiny", "Elijah", "Emma", "Isaiah", "Jada",
    "Jayden", "Kayla", "Liam", "Madison", "Malik", "Mia", "Noah", "Nia", "Ava", "Zion", "Grace",
    "Ethan", "Layla", "Mason", "Aaliyah", "Xavier", "Kai", "Tiana",
)
CHILD_NAMES_ES = (
    "Ángel", "Camila", "Daniela", "Diego", "Emiliano", "Fernanda", "Gael", "Ximena", "Isabella",
    "Jimena", "Leonardo", "Lucía", "Mateo", "Natalia", "Regina", "Santiago", "Sofía", "Valentina",
    "Sebastián", "Valeria", "Renata", "Iker", "Paola", "Julián", "Mariana", "Tadeo",
)

GROUP_PLACES = (
    "Maple Street", "Cedar Court", "Willow Park", "Harbor View", "Sunset Hill", "Mission Road",
    "Orchard Lane", "Lincoln Heights", "Pine Ridge", "Magnolia", "Riverbend", "Elm Grove",
    "Jacaranda", "Bluebird", "Prairie Wind", "Northside", "Eastgate", "Monarch", "Canal Street",
    "Juniper", "Aurora", "Dos Ríos", "Buena Vista", "Los Robles", "La Esperanza",
)
GROUP_KINDS = (
    "Circle", "Neighbors", "Parents", "Friends", "Potluck Group", "Savings Circle", "Moms",
    "Families", "Collective", "Crew", "Comadres", "Vecinos",
)

PRESCHOOLS = ("Little Sprouts Preschool", "Head Start on Vine", "Los Pollitos Preschool")
ELEMENTARY_SCHOOLS = (
    "Alder Creek Elementary", "Bayside Elementary", "Dos Puentes Elementary",
    "Fernwood Elementary", "Garfield Park Elementary", "Las Palmas Elementary",
    "Meadowlark Elementary", "Sycamore Elementary",
)
MIDDLE_SCHOOLS = (
    "Mesa Verde Middle School", "Harborside Middle School", "Kingfisher Middle School",
    "Roosevelt Heights Middle School", "Valle Verde Middle School",
)
HIGH_SCHOOLS = (
    "Harbor View High School", "Eastlake High School", "Franklin Park High School",
    "Monte Alto High School", "Westbrook High School",
)
ADULT_TRAININGS = (
    "ESL evening classes at the library", "GED classes, Community Learning Center",
    "Medical assistant certificate, City College", "Commercial driver's license course",
    "Cosmetology school, evenings", "Early childhood education units, City College",
    "Small business course at the credit union", "Clases de inglés en la parroquia",
    "Certificado de asistente dental", "Welding certificate, Northside Trade School",
)
# fmt: on


@dataclass(frozen=True)
class GoalTemplate:
    """A goal as families put it; `amount` scales a target with the monthly poverty line."""

    domain: str
    title_en: str
    title_es: str
    success_en: str = ""
    success_es: str = ""
    amount: float | None = None  # target = amount x monthly poverty line, rounded
    uses_debt: bool = False  # target = the family's debt when joining


D = Domain
GOALS: tuple[GoalTemplate, ...] = (
    GoalTemplate(
        D.SAVINGS,
        "Save {amount} for emergencies",
        "Ahorrar {amount} para emergencias",
        "If the car breaks down we don't have to borrow.",
        "Si se descompone el carro no tenemos que pedir prestado.",
        amount=0.5,
    ),
    GoalTemplate(
        D.SAVINGS,
        "Put something in savings every month",
        "Ahorrar algo cada mes, aunque sea poco",
        "No month with zero in the savings column.",
        "Ningún mes sin ahorrar.",
    ),
    GoalTemplate(
        D.DEBT,
        "Pay off the credit card and the store card",
        "Terminar de pagar la tarjeta de crédito",
        "No more calls from collectors.",
        "Que ya no nos llamen para cobrar.",
        uses_debt=True,
    ),
    GoalTemplate(
        D.DEBT,
        "Never take a payday loan again",
        "No volver a sacar préstamos de día de pago",
        "We cover short months from our own savings.",
        "Cubrimos los meses difíciles con lo ahorrado.",
    ),
    GoalTemplate(
        D.INCOME,
        "Start selling tamales on weekends",
        "Vender tamales los fines de semana",
        "Steady orders from neighbors and the church.",
        "Pedidos fijos de los vecinos y de la iglesia.",
    ),
    GoalTemplate(
        D.INCOME,
        "Get a full-time job with benefits",
        "Conseguir trabajo de tiempo completo con beneficios",
        "Forty hours, health insurance and paid sick days.",
        "Cuarenta horas, seguro médico y días pagados por enfermedad.",
    ),
    GoalTemplate(
        D.WORK,
        "Get my commercial driver's license",
        "Sacar la licencia comercial de manejo",
        "Driving for a delivery company.",
        "Manejar para una compañía de entregas.",
    ),
    GoalTemplate(
        D.WORK,
        "Grow the cleaning business to five regular clients",
        "Tener cinco clientes fijos de limpieza",
        amount=None,
    ),
    GoalTemplate(
        D.EDUCATION,
        "Finish my GED",
        "Terminar mi GED",
        "Diploma in hand by the end of the year.",
        "Tener el diploma antes de fin de año.",
    ),
    GoalTemplate(
        D.EDUCATION,
        "Help the kids read at grade level",
        "Que los niños lean al nivel de su grado",
        "Reading together twenty minutes every night.",
        "Leer juntos veinte minutos cada noche.",
    ),
    GoalTemplate(
        D.EDUCATION,
        "Save for community college classes",
        "Ahorrar para clases en el colegio comunitario",
        amount=0.6,
    ),
    GoalTemplate(
        D.HOUSING,
        "Move to a two-bedroom apartment",
        "Mudarnos a un departamento de dos recámaras",
        "The kids have their own room.",
        "Que los niños tengan su propio cuarto.",
    ),
    GoalTemplate(
        D.HOUSING,
        "Save a deposit for our own place",
        "Ahorrar el depósito para nuestro propio lugar",
        amount=1.0,
    ),
    GoalTemplate(
        D.ASSETS,
        "Buy a reliable car",
        "Comprar un carro que no falle",
        "Getting to work without asking for rides.",
        "Llegar al trabajo sin pedir raite.",
        amount=1.5,
    ),
    GoalTemplate(
        D.ASSETS,
        "Buy a second sewing machine for orders",
        "Comprar otra máquina de coser",
        amount=0.3,
    ),
    GoalTemplate(
        D.HEALTH,
        "Get the whole family health coverage",
        "Que toda la familia tenga seguro médico",
        "Everyone has a card and a clinic.",
        "Todos con tarjeta y clínica.",
    ),
    GoalTemplate(
        D.HEALTH, "Walk together three times a week", "Caminar juntos tres veces por semana"
    ),
    GoalTemplate(
        D.NETWORK,
        "Start a childcare swap with the other moms",
        "Turnarnos el cuidado de los niños con las otras mamás",
        "Each of us gets one free evening a week.",
        "Cada una tiene una tarde libre por semana.",
    ),
    GoalTemplate(
        D.LEADERSHIP, "Join the school's parent council", "Entrar al comité de padres de la escuela"
    ),
    GoalTemplate(
        D.LEADERSHIP,
        "Organize a block clean-up day",
        "Organizar una limpieza de la cuadra",
        "Twenty neighbors show up.",
        "Que vengan veinte vecinos.",
    ),
)

# fmt: off
GOAL_NOTES_EN = (
    "Opened a savings account at the credit union.", "Made the first payment on time.",
    "Signed up for the class, starts next month.",
    "Talked it over with the group, they had ideas.", "A slow month, but we kept at it.",
    "Halfway there!", "Found a cheaper way to do it.",
)
GOAL_NOTES_ES = (
    "Abrimos una cuenta de ahorros en la cooperativa.", "Hicimos el primer pago a tiempo.",
    "Ya me inscribí, empiezo el mes que viene.", "Lo platicamos con el grupo y nos dieron ideas.",
    "Fue un mes lento, pero seguimos.", "¡Ya vamos a la mitad!",
)
# fmt: on
GOAL_DONE_EN = (
    "Done! We celebrated with the group.",
    "We made it.",
    "Finished, on to the next one.",
)
GOAL_DONE_ES = (
    "¡Lo logramos! Lo celebramos con el grupo.",
    "¡Listo!",
    "Cumplido, vamos por el siguiente.",
)

# Per kind of help: notes in English, then in Spanish; an empty note is no note.
HELP_NOTES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "childcare": (
        ("Watched the kids Saturday", "After-school pickup", ""),
        ("Cuidé a los niños el sábado", "Recogí a los niños de la escuela", ""),
    ),
    "transport": (
        ("Ride to the clinic", "Drove them to the DMV", ""),
        ("Raite al trabajo", "La llevé a la clínica", ""),
    ),
    "food": (
        ("Groceries while they were short", "Dropped off dinner", ""),
        ("Comida para la semana", "Compartimos una olla de pozole", ""),
    ),
    "money_lent": (
        ("Short loan until payday", ""),
        ("Préstamo para la renta", ""),
    ),
    "job_lead": (
        ("Told them about an opening at the warehouse", ""),
        ("Le pasé un trabajo de limpieza", ""),
    ),
    "advice": (
        ("Helped with the tax forms", "Resume review", ""),
        ("Le ayudé con la solicitud de la escuela", ""),
    ),
    "other": (
        ("Helped move furniture", ""),
        ("Le arreglé el lavabo", ""),
    ),
}
