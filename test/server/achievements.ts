import { achievement, type Achievement } from "../../src/credentials/index.js";

// The achievements the service tests issue and the wallet tests read: a degree and a bootcamp certificate aligned to
// skills frameworks, a competency, a course.

export const degree: Achievement = achievement({
  id: "https://state-university.example/programs/bsc-cs",
  name: "BSc Computer Science",
  description: "Bachelor of Science in Computer Science: programming, algorithms, databases and software engineering.",
  criteria: { narrative: "Completed 180 ECTS credits, including a supervised final-year project." },
  achievementType: "Degree",
  alignments: [
    {
      targetName: "Software engineering",
      targetUrl: "https://esco.example/skill/software-engineering",
      targetFramework: "ESCO",
      targetCode: "S1.3",
    },
    { targetName: "Database design", targetUrl: "https://esco.example/skill/database-design", targetFramework: "ESCO" },
    { targetName: "Algorithms", targetUrl: "https://esco.example/skill/algorithms", targetFramework: "ESCO" },
  ],
});

export const bootcamp: Achievement = achievement({
  id: "https://code-bootcamp.example/certificates/full-stack",
  name: "Full-stack Web Developer",
  description: "Twelve-week full-stack web development bootcamp.",
  criteria: { narrative: "Built and deployed a capstone web application reviewed by industry mentors." },
  achievementType: "Certificate",
  alignments: [
    {
      targetName: "JavaScript",
      targetUrl: "https://skills.code-bootcamp.example/js-301",
      targetCode: "JS-301",
      targetFramework: "Bootcamp Skills Framework",
    },
    {
      targetName: "Web application development",
      targetUrl: "https://esco.example/skill/web-development",
      targetFramework: "ESCO",
    },
  ],
});

export const teamwork: Achievement = achievement({
  id: "https://code-bootcamp.example/competencies/agile-teamwork",
  name: "Agile teamwork",
  description: "Worked in a four-person Scrum team through six sprints.",
  criteria: { narrative: "Assessed by the team coach." },
  achievementType: "Competency",
});

export const course: Achievement = achievement({
  id: "https://state-university.example/courses/db101",
  name: "Databases 101",
  description: "Relational modelling, SQL and transactions.",
  criteria: { narrative: "Passed the final exam." },
  achievementType: "Course",
  alignments: [{ targetName: "SQL", targetUrl: "https://esco.example/skill/sql", targetFramework: "ESCO" }],
});
