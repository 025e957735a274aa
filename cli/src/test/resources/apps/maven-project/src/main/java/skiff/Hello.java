package skiff;

public class Hello {
    public static String greeting(String who) {
        return "built on a bind mount, " + who;
    }

    public static void main(String[] args) {
        System.out.println(greeting(args.length > 0 ? args[0] : "world"));
    }
}
