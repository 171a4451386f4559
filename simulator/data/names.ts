/** Name pools for generated customers (a customer stores two small indexes, not strings). */
export const FIRST_NAMES: readonly string[] = (
  "Olivia Liam Emma Noah Ava Oliver Sophia Elijah Isabella James Mia William Amelia Benjamin " +
  "Harper Lucas Evelyn Henry Abigail Theodore Emily Jack Ella Levi Elizabeth Alexander Camila " +
  "Jackson Luna Mateo Sofia Daniel Avery Michael Mila Mason Aria Sebastian Scarlett Ethan " +
  "Penelope Logan Layla Owen Chloe Samuel Victoria Jacob Madison Asher Eleanor Aiden Grace " +
  "John Nora Joseph Riley Wyatt Zoey David Hannah Leo Hazel Luke Lily Julian Ellie Hudson " +
  "Violet Grayson Lillian Matthew Zoe Ezra Stella Gabriel Aurora Carter Natalie Isaac Emilia " +
  "Jayden Everly Luca Leah Anthony Aubrey Dylan Willow Lincoln Addison Thomas Lucy Maverick " +
  "Audrey Elias Bella Josiah Nova Charles Brooklyn Caleb Paisley Christopher Savannah Ezekiel " +
  "Claire Miles Skylar Jaxon Isla Isaiah Genesis Andrew Naomi Joshua Elena Nathan Caroline " +
  "Nolan Eliana Adrian Anna Cameron Maya Santiago Valentina Eli Ruby Aaron Kennedy Ryan Ivy " +
  "Angel Ariana Cooper Aaliyah Waylon Cora Jordan Madelyn Kai Alice Easton Kinsley Dominic " +
  "Hailey Jeremiah Gabriella Greyson Allison Hiroshi Yuki Priya Arjun Fatima Omar Chen Wei " +
  "Sven Ingrid Mateus Lucia Kwame Amara Diego Rosa Pierre Amelie Jonas Freya Tariq Leila"
).split(" ");

export const LAST_NAMES: readonly string[] = (
  "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez " +
  "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris " +
  "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill " +
  "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips " +
  "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook " +
  "Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward " +
  "Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez " +
  "Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan " +
  "Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson " +
  "Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera " +
  "Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez " +
  "McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns " +
  "Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt " +
  "Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer " +
  "Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant"
).split(" ");
